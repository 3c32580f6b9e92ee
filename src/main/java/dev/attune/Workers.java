package dev.attune;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts the worker processes of a data-parallel run on this machine, as torchrun does: each is this same Java
 * command line running {@code args}, with torch.distributed's variables in its environment (MASTER_ADDR,
 * MASTER_PORT, WORLD_SIZE, RANK, LOCAL_RANK, LOCAL_WORLD_SIZE, GROUP_RANK) and the cores split between them
 * (ATTUNE_THREADS, OMP_NUM_THREADS, OPENBLAS_NUM_THREADS). It waits for all of them; when one fails, the others get {@link #GRACE_SECONDS} to notice and
 * stop on their own before they are killed. The exit status is the first failure's, else 0.
 */
public final class Workers {
    /** The environment variables a worker reads: the standard ones, so torchrun, srun or a Kubernetes job can start it. */
    public record Env(String masterAddr, int masterPort, int worldSize, int rank, int localRank, int localWorldSize) {
        /** The worker's place from the environment, or null when it is not part of a distributed run. */
        public static Env fromEnvironment(Map<String, String> env) {
            String world = env.get("WORLD_SIZE"), rank = env.get("RANK");
            if (world == null || rank == null) return null;
            int w = parse("WORLD_SIZE", world), r = parse("RANK", rank);
            if (w < 1) throw new AttuneException("WORLD_SIZE: " + world + " must be at least 1");
            if (r < 0 || r >= w) throw new AttuneException("RANK: " + rank + " must be in 0.." + (w - 1) + " (WORLD_SIZE " + w + ")");
            String addr = env.getOrDefault("MASTER_ADDR", "127.0.0.1");
            String port = env.get("MASTER_PORT");
            if (w > 1 && port == null) throw new AttuneException("MASTER_PORT: not set; every worker of a run needs rank 0's address and port");
            int p = port == null ? 29500 : parse("MASTER_PORT", port);
            if (p < 1 || p > 65535) throw new AttuneException("MASTER_PORT: " + port + " is not a TCP port");
            int localRank = env.containsKey("LOCAL_RANK") ? parse("LOCAL_RANK", env.get("LOCAL_RANK")) : 0;
            int local = env.containsKey("LOCAL_WORLD_SIZE") ? parse("LOCAL_WORLD_SIZE", env.get("LOCAL_WORLD_SIZE")) : 1;
            return new Env(addr, p, w, r, localRank, local);
        }

        private static int parse(String name, String value) {
            try {
                return Integer.parseInt(value.trim());
            } catch (NumberFormatException e) {
                throw new AttuneException(name + ": '" + value + "' is not a whole number");
            }
        }
    }

    /** Seconds the other workers get to stop by themselves after one failed. */
    public static final int GRACE_SECONDS = 45;

    private Workers() {}

    /** A TCP port free on this machine's loopback now (for a one-machine run that names none). */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new AttuneException("cannot find a free TCP port on loopback (" + e.getMessage() + "); give --master-port");
        }
    }

    /**
     * Runs {@code nprocPerNode} workers of this node ({@code nodeRank} of {@code nnodes}) and returns the exit status:
     * the first non-zero one, or 0 when every worker succeeded.
     */
    public static int run(List<String> args, int nprocPerNode, int nnodes, int nodeRank, String masterAddr, int masterPort) {
        int world = nprocPerNode * nnodes;
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / nprocPerNode);
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.attune.cli.Main"));
        command.addAll(args);
        List<Process> workers = new ArrayList<>();
        Thread cleanup = new Thread(() -> workers.forEach(Process::destroyForcibly));
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            for (int local = 0; local < nprocPerNode; local++) {
                ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
                Map<String, String> env = pb.environment();
                env.put("MASTER_ADDR", masterAddr);
                env.put("MASTER_PORT", String.valueOf(masterPort));
                env.put("WORLD_SIZE", String.valueOf(world));
                env.put("RANK", String.valueOf(nodeRank * nprocPerNode + local));
                env.put("LOCAL_RANK", String.valueOf(local));
                env.put("LOCAL_WORLD_SIZE", String.valueOf(nprocPerNode));
                env.put("GROUP_RANK", String.valueOf(nodeRank));
                env.putIfAbsent("ATTUNE_THREADS", String.valueOf(threads));
                env.putIfAbsent("OMP_NUM_THREADS", String.valueOf(threads));      // and OpenBLAS's own pool, which
                env.putIfAbsent("OPENBLAS_NUM_THREADS", String.valueOf(threads)); // would otherwise take every core
                env.putIfAbsent("TORCH_CPP_LOG_LEVEL", "ERROR");    // attune reports a lost peer itself, in one line
                try {
                    workers.add(pb.start());
                } catch (IOException e) {
                    throw new AttuneException("cannot start worker " + local + " (" + e.getMessage() + ")");
                }
            }
            return await(workers, nodeRank * nprocPerNode);
        } finally {
            workers.forEach(Process::destroyForcibly);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException ignored) {
                // shutting down already
            }
        }
    }

    private static int await(List<Process> workers, int firstRank) {
        int status = 0;
        long failedAt = 0;
        while (true) {
            boolean running = false;
            for (int i = 0; i < workers.size(); i++) {
                Process p = workers.get(i);
                if (p.isAlive()) {
                    running = true;
                    continue;
                }
                if (p.exitValue() != 0 && status == 0) {
                    status = p.exitValue();
                    failedAt = System.nanoTime();
                    System.err.println("attune: worker rank " + (firstRank + i) + " exited with status " + describe(p.exitValue()));
                }
            }
            if (!running) return status;
            if (status != 0 && (System.nanoTime() - failedAt) / 1e9 > GRACE_SECONDS) {
                System.err.println("attune: stopping the remaining workers " + GRACE_SECONDS + " s after the first failure");
                workers.forEach(Process::destroyForcibly);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return status == 0 ? 1 : status;
            }
        }
    }

    private static String describe(int exit) {
        return exit > 128 ? exit + " (killed by signal " + (exit - 128) + ")" : String.valueOf(exit);
    }
}
