package org.echodriver.echoapp.bench;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.echodriver.echoapp.device.Device;
import org.echodriver.echoapp.device.DeviceInterfaces;
import org.echodriver.echoapp.host.EmbeddedHost;
import org.echodriver.echoapp.host.HostBinaries;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * How close the echo driver comes to one completion per timer tick under the async load of
 * {@code echoapp -Async}, for each variant, in the embedded host.
 *
 * <p>The echo queue is sequential and the driver completes the request it holds from its
 * timer DPC, so at most one request completes per tick: the ideal is 1.0 completion per
 * tick. A writer and a reader, each on its own handle and completion port, keep up to 100
 * requests of each kind in flight; the measurement spans from the first completion that
 * waited for a tick to the last, so the host's start and the timer's 100 ms due time are
 * left out.
 */
@Command(name = "TimerTickBenchmark", mixinStandardHelpOptions = true,
        description = "Runs -Async style load at a short timer period and reports completions per timer tick "
                + "(ideal: 1.0) for each echo driver variant in the embedded KMDF host (Linux).")
public final class TimerTickBenchmark implements Callable<Integer> {
    private static final int LENGTH = 1024;
    private static final int IN_FLIGHT = 100;

    @Option(names = "--timer-ms", defaultValue = "2", paramLabel = "MS", description = "Timer period (default ${DEFAULT-VALUE}).")
    private int timerMs;

    @Option(names = "--requests", defaultValue = "2000", paramLabel = "N",
            description = "Writes and reads to complete, each (default ${DEFAULT-VALUE}).")
    private int requests;

    @Option(names = "--variants", split = ",", defaultValue = "autosync,driversync", paramLabel = "V[,V]",
            description = "Driver variants to measure (default ${DEFAULT-VALUE}).")
    private List<String> variants;

    /** Runs the benchmark; exits only on failure, so that it can run inside Maven (exec:java). */
    public static void main(String[] args) {
        int status = new CommandLine(new TimerTickBenchmark()).execute(args);
        if (status != 0) {
            System.exit(status);
        }
    }

    @Override
    public Integer call() throws Exception {
        HostBinaries directory = HostBinaries.locate();
        System.out.printf("%-11s %8s %10s %10s %9s %16s%n", "variant", "timer", "completed", "elapsed", "ticks", "completions/tick");
        for (String variant : variants) {
            Result result = measure(directory, variant);
            double ticks = result.elapsedNanos / (timerMs * 1e6);
            System.out.printf("%-11s %5d ms %10d %8.2f s %9.0f %16.3f%n", variant, timerMs, result.completions,
                    result.elapsedNanos / 1e9, ticks, result.completions / ticks);
        }
        return 0;
    }

    private record Result(long completions, long elapsedNanos) {
    }

    private Result measure(HostBinaries directory, String variant) throws Exception {
        try (EmbeddedHost host = EmbeddedHost.start(directory, directory.echoDriver(variant), timerMs)) {
            String path = DeviceInterfaces.find(DeviceInterfaces.GUID_DEVINTERFACE_ECHO).get(0);
            try (Device writer = Device.open(path, true); Device reader = Device.open(path, true)) {
                Load load = new Load(writer, reader);
                return load.run();
            }
        }
    }

    /** Keeps the requests in flight and records when the ticked completions happen. */
    private final class Load {
        private final Device writer;
        private final Device reader;
        private final AtomicLong writesLeft = new AtomicLong(requests);
        private final AtomicLong readsLeft = new AtomicLong(requests);
        private final CountDownLatch done = new CountDownLatch(2 * requests);
        private final AtomicLong ticked = new AtomicLong();
        private final AtomicLong first = new AtomicLong();
        private final AtomicLong last = new AtomicLong();
        private volatile Throwable failure;

        Load(Device writer, Device reader) {
            this.writer = writer;
            this.reader = reader;
        }

        Result run() throws InterruptedException {
            for (int i = 0; i < IN_FLIGHT; i++) {
                nextWrite();
                nextRead();
            }
            if (!done.await(10L * requests * timerMs + 60_000, TimeUnit.MILLISECONDS) || failure != null) {
                throw new IllegalStateException("the load did not complete", failure);
            }
            // The first ticked completion opens the interval: the ones after it each needed a tick.
            return new Result(ticked.get() - 1, last.get() - first.get());
        }

        private void nextWrite() {
            if (writesLeft.getAndDecrement() <= 0) {
                return;
            }
            track(writer.writeAsync(new byte[LENGTH]), true);
        }

        private void nextRead() {
            if (readsLeft.getAndDecrement() <= 0) {
                return;
            }
            track(reader.readAsync(new byte[LENGTH]), false);
        }

        private void track(CompletableFuture<Integer> request, boolean write) {
            request.whenComplete((bytes, error) -> {
                if (error != null) {
                    failure = error;
                    while (done.getCount() > 0) {
                        done.countDown();
                    }
                    return;
                } else if (bytes > 0) {
                    // Reads that found no data yet complete without waiting for a tick.
                    long now = System.nanoTime();
                    first.compareAndSet(0, now);
                    last.accumulateAndGet(now, Math::max);
                    ticked.incrementAndGet();
                }
                done.countDown();
                if (write) {
                    nextWrite();
                } else {
                    nextRead();
                }
            });
        }
    }
}
