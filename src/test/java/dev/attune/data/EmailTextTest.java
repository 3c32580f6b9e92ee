package dev.attune.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmailTextTest {

    @Test
    void keepsSubjectAndDecodedBodyAndDropsEveryOtherHeader() {
        String raw = """
                From someone@example.com  Thu Aug 22 13:17:22 2002
                Return-Path: <someone@example.com>
                X-Spam-Status: Yes, hits=11.4 required=5.0
                X-Spam-Flag: YES
                Subject: =?iso-8859-1?q?Caf=E9_offer?=
                Content-Type: text/plain; charset="iso-8859-1"
                Content-Transfer-Encoding: quoted-printable

                Cr=E8me br=FBl=E9e for everyone=21
                Soft line=
                 break.
                """;
        String text = EmailText.of(raw);
        assertEquals("Café offer\nCrème brûlée for everyone!\nSoft line break.", text);
        assertFalse(text.contains("X-Spam"));
        assertFalse(text.contains("Return-Path"));
    }

    @Test
    void prefersPlainTextInAlternativesAndDecodesBase64Utf8() {
        String raw = """
                Subject: hello
                MIME-Version: 1.0
                Content-Type: multipart/alternative; boundary="XX"

                --XX
                Content-Type: text/plain; charset=utf-8
                Content-Transfer-Encoding: base64

                w5xiZXIgYWxsZXMgLSBwbGFpbg==
                --XX
                Content-Type: text/html; charset=utf-8

                <html><body><p>html version</p></body></html>
                --XX--
                """;
        assertEquals("hello\nÜber alles - plain", EmailText.of(raw));
    }

    @Test
    void convertsHtmlToTextAndConcatenatesMixedParts() {
        String raw = """
                Subject: deal
                MIME-Version: 1.0
                Content-Type: multipart/mixed; boundary="B"

                --B
                Content-Type: text/html

                <html><head><style>p {color: red}</style></head><body><p>Buy <b>now</b></p><p>50% off</p></body></html>
                --B
                Content-Type: application/octet-stream
                Content-Disposition: attachment; filename="x.bin"
                Content-Transfer-Encoding: base64

                AAECAwQ=
                --B
                Content-Type: text/plain

                second part
                --B--
                """;
        String text = EmailText.of(raw);
        assertEquals("deal\nBuy now 50% off\nsecond part", text);
        assertTrue(!text.contains("color"));
    }
}
