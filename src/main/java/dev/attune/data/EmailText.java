package dev.attune.data;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import org.jsoup.Jsoup;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * Turns a raw RFC-822 message into the text a classifier should see: the decoded Subject, then the decoded body
 * (MIME multipart, quoted-printable and base64, declared charsets, HTML converted to text). Every other header is
 * dropped: SpamAssassin's own {@code X-Spam-*} headers would leak the label.
 */
public final class EmailText {
    private static final Session SESSION = Session.getInstance(new Properties());

    private EmailText() {}

    public static String of(String rawMessage) {
        String raw = rawMessage;
        if (raw.startsWith("From ")) { // mbox separator line, not a header
            int nl = raw.indexOf('\n');
            raw = nl < 0 ? "" : raw.substring(nl + 1);
        }
        // The corpus holds bytes as characters; characters above 0xFF mean it was decoded as UTF-8.
        boolean latin1 = raw.chars().allMatch(c -> c <= 0xFF);
        byte[] bytes = raw.getBytes(latin1 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
        try {
            MimeMessage msg = new MimeMessage(SESSION, new ByteArrayInputStream(bytes));
            String subject = msg.getSubject();
            StringBuilder body = new StringBuilder();
            appendText(msg, body, 0);
            String text = (subject == null ? "" : subject.strip()) + "\n" + normalize(body.toString());
            return text.strip();
        } catch (MessagingException | IOException | RuntimeException e) {
            // An unparseable message: fall back to the text after the header block.
            int split = raw.indexOf("\n\n");
            return normalize(split < 0 ? raw : raw.substring(split + 2));
        }
    }

    private static void appendText(Part part, StringBuilder out, int depth) throws MessagingException, IOException {
        if (depth > 10) return;
        if (part.isMimeType("multipart/alternative")) {
            Multipart mp = multipart(part);
            if (mp == null) return;
            Part chosen = null;
            for (int i = 0; i < mp.getCount(); i++) {
                BodyPart bp = mp.getBodyPart(i);
                if (bp.isMimeType("text/plain")) {
                    chosen = bp;
                    break;
                }
                if (chosen == null && (bp.isMimeType("text/html") || bp.isMimeType("multipart/*"))) chosen = bp;
            }
            if (chosen != null) appendText(chosen, out, depth + 1);
        } else if (part.isMimeType("multipart/*")) {
            Multipart mp = multipart(part);
            if (mp == null) return;
            for (int i = 0; i < mp.getCount(); i++) appendText(mp.getBodyPart(i), out, depth + 1);
        } else if (part.isMimeType("message/rfc822")) {
            Object inner = safeContent(part);
            if (inner instanceof Part p) appendText(p, out, depth + 1);
        } else if (part.isMimeType("text/html")) {
            out.append(Jsoup.parse(decodedText(part)).text()).append('\n');
        } else if (part.isMimeType("text/*") || part.getContentType() == null) {
            String disposition = part.getDisposition();
            if (disposition == null || !disposition.equalsIgnoreCase(Part.ATTACHMENT) || part.isMimeType("text/plain")) {
                String t = decodedText(part);
                // Some senders label HTML as text/plain.
                out.append(looksLikeHtml(t) ? Jsoup.parse(t).text() : t).append('\n');
            }
        }
        // other types (images, applications) carry no text
    }

    private static Multipart multipart(Part part) throws MessagingException {
        Object c = safeContent(part);
        return c instanceof Multipart mp ? mp : null;
    }

    private static Object safeContent(Part part) {
        try {
            return part.getContent();
        } catch (IOException | MessagingException | RuntimeException e) {
            return null;
        }
    }

    /** The part's text, decoded with its declared charset, or Latin-1 when that charset is unknown or missing. */
    private static String decodedText(Part part) throws MessagingException, IOException {
        Object c = safeContent(part);
        if (c instanceof String s) return s;
        try (InputStream in = part.getInputStream()) { // transfer-decoded bytes
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException | MessagingException | RuntimeException e) {
            return "";
        }
    }

    private static boolean looksLikeHtml(String t) {
        String head = t.length() > 2000 ? t.substring(0, 2000) : t;
        String lower = head.toLowerCase(java.util.Locale.ROOT);
        return lower.contains("<html") || lower.contains("<body") || lower.contains("<table") || lower.contains("<br") || lower.contains("<p>");
    }

    /** Collapses runs of blank space within lines and runs of blank lines. */
    static String normalize(String s) {
        String t = s.replace("\r\n", "\n").replace('\r', '\n').replace('\u00a0', ' ');
        t = t.replaceAll("[\\t\\x0B\\f ]+", " ");
        t = t.replaceAll(" *\n *", "\n");
        t = t.replaceAll("\n{3,}", "\n\n");
        return t.strip();
    }
}
