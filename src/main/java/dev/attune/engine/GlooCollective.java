package dev.attune.engine;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.AllreduceOptions;
import org.bytedeco.pytorch.BroadcastOptions;
import org.bytedeco.pytorch.GlooDeviceVector;
import org.bytedeco.pytorch.ProcessGroupGloo;
import org.bytedeco.pytorch.TCPStore;
import org.bytedeco.pytorch.TCPStoreOptions;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.Work;
import org.bytedeco.pytorch.global.torch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Collectives over libtorch's c10d: rendezvous through a {@code TCPStore} that rank 0 hosts at the master address,
 * then a {@code ProcessGroupGloo} (the CPU backend of torch.distributed) for all-reduce and broadcast.
 *
 * <p>Every rank also keeps a heartbeat counter in the store, bumped twice a second by a thread of its own. When a
 * collective fails (a peer's connection closed, or Gloo's timeout), the counters say which rank is gone: one whose
 * counter stopped, or rank 0 when the store it hosted no longer answers. A peer whose heartbeat stops for
 * {@link #HANG_SECONDS} while this rank waits in a collective is declared lost too, so a hung worker cannot keep the
 * others waiting for Gloo's own, longer timeout. Either way the error names the lost rank.
 */
public final class GlooCollective implements Collective {
    /** Where and how to meet: torchrun's MASTER_ADDR, MASTER_PORT, RANK and WORLD_SIZE. */
    public record Rendezvous(String masterAddr, int masterPort, int rank, int worldSize, Duration timeout) {
        public Rendezvous {
            if (worldSize < 1 || rank < 0 || rank >= worldSize) {
                throw new IllegalArgumentException("rank " + rank + " is not in a world of " + worldSize);
            }
            if (masterPort < 1 || masterPort > 65535) throw new IllegalArgumentException("master port " + masterPort + " is not a TCP port");
        }
    }

    /** A peer that stops its heartbeat for this long while the others wait in a collective is lost. */
    public static final int HANG_SECONDS = 30;
    /** DistributedDataParallel's default bucket: 25 MB. */
    static final long BUCKET_BYTES = 25L << 20;
    static final Duration COLLECTIVE_TIMEOUT = Duration.ofMinutes(30);
    private static final String HEARTBEAT = "attune/heartbeat/";

    private final Rendezvous where;
    private final TCPStore store;
    private final ProcessGroupGloo group;
    private final Thread heartbeat;
    private volatile boolean closed;
    private volatile boolean inCollective;
    private long calls, bytes;
    private double seconds;

    private GlooCollective(Rendezvous where, TCPStore store, ProcessGroupGloo group) {
        this.where = where;
        this.store = store;
        this.group = group;
        this.heartbeat = new Thread(this::beat, "attune-heartbeat");
        heartbeat.setDaemon(true);
        heartbeat.start();
    }

    /**
     * Joins the run: rank 0 listens on {@code masterPort}, the others connect to it (retrying until the timeout);
     * returns once all {@code worldSize} ranks are connected.
     */
    public static GlooCollective join(Rendezvous r) {
        Engine.init();
        TCPStore store;
        try {
            store = new TCPStore(r.masterAddr(), storeOptions(r, r.rank() == 0));
        } catch (RuntimeException e) {
            throw new PeerLostException(r.rank() == 0
                    ? "rank 0 cannot listen on " + r.masterAddr() + ":" + r.masterPort() + " (" + firstLine(e) + "); choose another --master-port"
                    : "rank " + r.rank() + " cannot reach rank 0 at " + r.masterAddr() + ":" + r.masterPort() + " within "
                    + r.timeout().toSeconds() + " s (" + firstLine(e) + ")", -1);
        }
        // collectives may wait long for rank 0 alone (a checkpoint, a spectral refresh); a hung peer is caught by the heartbeat
        ProcessGroupGloo.Options options = ProcessGroupGloo.Options.create(new Milliseconds(COLLECTIVE_TIMEOUT.toMillis()));
        GlooDeviceVector devices = new GlooDeviceVector();
        String ifname = System.getenv("GLOO_SOCKET_IFNAME");     // torch.distributed's variable for the interface
        devices.push_back(ifname != null && !ifname.isBlank() ? ProcessGroupGloo.createDeviceForInterface(ifname)
                : isLoopback(r.masterAddr()) ? ProcessGroupGloo.createDeviceForHostname("127.0.0.1")
                : ProcessGroupGloo.createDefaultDevice());
        options.devices(devices);
        ProcessGroupGloo group;
        try {
            group = new ProcessGroupGloo(store, r.rank(), r.worldSize(), options);
        } catch (RuntimeException e) {
            throw new PeerLostException("rank " + r.rank() + ": not every one of the " + r.worldSize() + " ranks joined within "
                    + r.timeout().toSeconds() + " s (" + firstLine(e) + ")", -1);
        }
        return new GlooCollective(r, store, group);
    }

    private static TCPStoreOptions storeOptions(Rendezvous r, boolean server) {
        TCPStoreOptions o = new TCPStoreOptions();
        o.port((short) r.masterPort());
        o.isServer(server);
        o.waitWorkers(false);
        o.timeout(new Milliseconds(r.timeout().toMillis()));
        return o;
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    @Override
    public int rank() {
        return where.rank();
    }

    @Override
    public int worldSize() {
        return where.worldSize();
    }

    @Override
    public void sumGradients(List<Tensor> parameters, double scale) {
        List<Tensor> grads = new ArrayList<>();
        for (Tensor p : parameters) {
            Tensor g = p.grad();
            if (g != null) grads.add(g);
        }
        for (List<Tensor> bucket : buckets(grads)) {
            Tensor flat = flatten(bucket, scale);
            allReduce(flat.handle(), flat.numel() * 4);
            unflatten(flat, bucket);
        }
    }

    @Override
    public void broadcast(List<Tensor> tensors) {
        for (List<Tensor> bucket : buckets(tensors)) {
            Tensor flat = flatten(bucket, 1);
            broadcastFromRoot(flat.handle());
            unflatten(flat, bucket);
        }
    }

    @Override
    public double[] sum(double[] values) {
        org.bytedeco.pytorch.Tensor t = doubles(values);
        allReduce(t, 8L * values.length);
        return read(t, values.length);
    }

    @Override
    public double[] broadcast(double[] values) {
        org.bytedeco.pytorch.Tensor t = doubles(values);
        broadcastFromRoot(t);
        return read(t, values.length);
    }

    /** Sums {@code t} over ranks in place; {@code bytes} is what the traffic counts for it. */
    private void allReduce(org.bytedeco.pytorch.Tensor t, long bytes) {
        run("an all-reduce", bytes, () -> group.allreduce(vector(t), new AllreduceOptions()));
    }

    /** Overwrites {@code t} with rank 0's values, in place. */
    private void broadcastFromRoot(org.bytedeco.pytorch.Tensor t) {
        run("a broadcast", 0, () -> {
            BroadcastOptions o = new BroadcastOptions();
            o.rootRank(0);
            return group.broadcast(vector(t), o);
        });
    }

    @Override
    public synchronized Traffic traffic() {
        return new Traffic(calls, bytes, seconds);
    }

    @Override
    public void close() {
        closed = true;
        heartbeat.interrupt();
    }

    // ---- buckets -----------------------------------------------------------------------------------------

    private static List<List<Tensor>> buckets(List<Tensor> tensors) {
        List<List<Tensor>> out = new ArrayList<>();
        List<Tensor> current = new ArrayList<>();
        long size = 0;
        for (Tensor t : tensors) {
            long b = t.numel() * 4;
            if (!current.isEmpty() && size + b > BUCKET_BYTES) {
                out.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(t);
            size += b;
        }
        if (!current.isEmpty()) out.add(current);
        return out;
    }

    /** One float32 vector holding {@code scale} times every tensor of the bucket, in order. */
    private static Tensor flatten(List<Tensor> bucket, double scale) {
        long n = 0;
        for (Tensor t : bucket) n += t.numel();
        Tensor flat = Tensor.zeros(n);
        long offset = 0;
        for (Tensor t : bucket) {
            Tensor part = flat.narrow(0, offset, t.numel());
            Tensor values = t.toFloat32().reshape(t.numel());
            part.copyFrom(scale == 1 ? values : values.mul(scale));
            offset += t.numel();
        }
        return flat;
    }

    private static void unflatten(Tensor flat, List<Tensor> bucket) {
        long offset = 0;
        for (Tensor t : bucket) {
            t.copyFrom(flat.narrow(0, offset, t.numel()).reshape(t.shape()));
            offset += t.numel();
        }
    }

    private static TensorVector vector(org.bytedeco.pytorch.Tensor t) {
        TensorVector v = new TensorVector();
        v.push_back(t);
        return v;
    }

    private static org.bytedeco.pytorch.Tensor doubles(double[] values) {
        var t = torch.empty(new long[]{values.length}, new TensorOptions(torch.ScalarType.Double), null);
        try (DoublePointer p = new DoublePointer(t.data_ptr())) {
            p.put(values, 0, values.length);
        }
        return t;
    }

    private static double[] read(org.bytedeco.pytorch.Tensor t, int n) {
        double[] out = new double[n];
        try (DoublePointer p = new DoublePointer(t.data_ptr())) {
            p.get(out, 0, n);
        }
        return out;
    }

    // ---- running a collective, and finding who is gone when one fails ---------------------------------------

    private void run(String what, long countedBytes, java.util.function.Supplier<Work> launch) {
        long start = System.nanoTime();
        inCollective = true;
        try {
            Work w = launch.get();
            w._wait();
        } catch (RuntimeException e) {
            throw lost(what, e);
        } finally {
            inCollective = false;
        }
        synchronized (this) {
            calls++;
            bytes += countedBytes;
            seconds += (System.nanoTime() - start) / 1e9;
        }
    }

    private PeerLostException lost(String what, RuntimeException cause) {
        int gone = silentRank(2500);
        String why = "Gloo: " + firstLine(cause);
        String who = gone >= 0 ? "rank " + gone + " of " + worldSize() + " was lost" : "a peer was lost";
        return new PeerLostException(who + " during " + what + " (seen by rank " + rank() + "; " + why + ")", gone);
    }

    /** The first rank whose heartbeat does not move within {@code millis}, 0 when the store is gone, else −1. */
    private int silentRank(long millis) {
        try {
            long[] before = heartbeats();
            Thread.sleep(millis);
            long[] after = heartbeats();
            for (int r = 0; r < worldSize(); r++) if (r != rank() && after[r] == before[r]) return r;
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        } catch (RuntimeException e) {
            return rank() == 0 ? -1 : 0;       // the store lives in rank 0's process
        }
    }

    private long[] heartbeats() {
        long[] out = new long[worldSize()];
        synchronized (store) {
            for (int r = 0; r < out.length; r++) out[r] = store.add(HEARTBEAT + r, 0);
        }
        return out;
    }

    /**
     * Bumps this rank's counter twice a second and watches the others': a peer silent for {@link #HANG_SECONDS}
     * while this rank waits in a collective ends this process, naming it (the collective itself cannot be interrupted).
     */
    private void beat() {
        long[] last = new long[worldSize()];
        long[] since = new long[worldSize()];
        java.util.Arrays.fill(since, System.nanoTime());
        while (!closed) {
            try {
                long[] now;
                synchronized (store) {
                    store.add(HEARTBEAT + rank(), 1);
                    now = heartbeats();
                }
                long t = System.nanoTime();
                for (int r = 0; r < now.length; r++) {
                    if (now[r] != last[r]) {
                        last[r] = now[r];
                        since[r] = t;
                    } else if (r != rank() && inCollective && (t - since[r]) / 1e9 > HANG_SECONDS) {
                        halt("rank " + r + " of " + worldSize() + " stopped responding (no heartbeat for " + HANG_SECONDS
                                + " s while rank " + rank() + " waited for it)");
                    }
                }
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                if (closed) return;
                if (rank() != 0 && inCollective) halt("rank 0 of " + worldSize() + " was lost (the store it hosted stopped answering: " + firstLine(e) + ")");
                try {
                    Thread.sleep(500);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private void halt(String message) {
        System.err.println("attune: " + message + "; " + PeerLostException.RESUME_HINT);
        System.err.flush();
        Runtime.getRuntime().halt(PeerLostException.EXIT_STATUS);
    }

    private static String firstLine(RuntimeException e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        m = nl < 0 ? m : m.substring(0, nl);
        int bracket = m.indexOf("] ");                      // drop the C++ source location Gloo prefixes
        return m.startsWith("[") && bracket > 0 ? m.substring(bracket + 2) : m;
    }
}
