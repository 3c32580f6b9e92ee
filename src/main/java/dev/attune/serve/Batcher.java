package dev.attune.serve;

import dev.attune.Predictor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * Micro-batching in front of one model: requests wait at most {@code maxWaitMillis} for others to share a forward
 * pass of at most {@code maxBatch} texts. One worker thread owns the model; a new model takes over between two
 * batches, so a swap never fails or drops a request, and the old one is closed once no batch uses it.
 */
final class Batcher implements AutoCloseable {
    /** What one request gets back: the version that answered and one scored result per text. */
    record Result(String modelVersion, List<Predictor.Scored> scored) {}

    private record Job(List<String> texts, CompletableFuture<Result> done) {}

    private final BlockingQueue<Job> queue;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final IntConsumer batchSizes;
    private final AtomicReference<ServedModel> next = new AtomicReference<>();
    private final Thread worker;
    private volatile ServedModel current;
    private volatile boolean running = true;

    Batcher(ServedModel model, int maxBatch, long maxWaitMillis, int maxQueued, IntConsumer batchSizes) {
        this.current = model;
        this.maxBatch = maxBatch;
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMillis);
        this.queue = new ArrayBlockingQueue<>(maxQueued);
        this.batchSizes = batchSizes;
        this.worker = new Thread(this::work, "attune-inference");
        worker.setDaemon(true);
        worker.start();
    }

    ServedModel current() {
        ServedModel pending = next.get();
        return pending != null ? pending : current;
    }

    /** Queues a request; a full queue is an overload the caller reports as 503. */
    CompletableFuture<Result> submit(List<String> texts) {
        var job = new Job(texts, new CompletableFuture<>());
        if (!running || !queue.offer(job)) throw new ApiError(503, "overloaded", "the server is busy: too many requests are waiting; retry later");
        return job.done();
    }

    /** Serves {@code model} from the next batch on; the model it replaces is closed by the worker. */
    void swap(ServedModel model) {
        ServedModel replaced = next.getAndSet(model);
        if (replaced != null) replaced.predictor().close(); // never served
    }

    private void work() {
        Job carried = null;
        while (running || !queue.isEmpty() || carried != null) {
            try {
                Job first = carried != null ? carried : queue.poll(50, TimeUnit.MILLISECONDS);
                carried = null;
                takeSwap();
                if (first == null) continue;
                List<Job> jobs = new ArrayList<>();
                jobs.add(first);
                int n = first.texts().size();
                long deadline = System.nanoTime() + maxWaitNanos;
                while (n < maxBatch) {
                    long left = deadline - System.nanoTime();
                    Job j = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
                    if (j == null) break;
                    if (n + j.texts().size() > maxBatch) {
                        carried = j;
                        break;
                    }
                    jobs.add(j);
                    n += j.texts().size();
                }
                run(jobs, n);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        takeSwap();
        Job left;
        while ((left = queue.poll()) != null) left.done().completeExceptionally(new ApiError(503, "shutting_down", "the server is shutting down"));
    }

    private void takeSwap() {
        ServedModel incoming = next.getAndSet(null);
        if (incoming == null) return;
        ServedModel old = current;
        current = incoming;
        old.predictor().close();
    }

    private void run(List<Job> jobs, int n) {
        List<String> texts = new ArrayList<>(n);
        for (Job j : jobs) texts.addAll(j.texts());
        ServedModel model = current;
        try {
            List<Predictor.Scored> scored = model.predictor().score(texts);
            batchSizes.accept(n);
            int at = 0;
            for (Job j : jobs) {
                int k = j.texts().size();
                j.done().complete(new Result(model.version(), scored.subList(at, at + k)));
                at += k;
            }
        } catch (RuntimeException e) {
            for (Job j : jobs) j.done().completeExceptionally(e);
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            worker.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        current.predictor().close();
    }
}
