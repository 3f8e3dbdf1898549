package org.echodriver.echoapp.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.echodriver.echoapp.device.Device;
import org.echodriver.echoapp.device.DeviceInterfaces;
import org.echodriver.echoapp.host.EmbeddedHost;
import org.echodriver.echoapp.host.HostBinaries;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The Java side of the CPU-per-request comparison: what {@code echoapp -Async N} does,
 * through echoapp-lib, against a driver that completes at once (bench/native/instant.c), in
 * the embedded host. A writer and a reader, each on its own overlapped handle and
 * completion port, keep up to 100 requests of each kind in flight; every write sends its
 * own pattern and every read is verified to be a prefix of one. The process CPU time
 * (all threads: the application's, the completion threads and the host's) is measured
 * over N writes and N reads after a warm-up, and divided by 2N. The native client
 * bench/native/asyncio.c does the same in C; the README has both figures.
 */
@Command(name = "CpuPerRequest", mixinStandardHelpOptions = true,
        description = "Java CPU per overlapped request against a driver that completes at once (embedded host).")
public final class CpuPerRequest implements Callable<Integer> {
    private static final int IN_FLIGHT = 100;
    private static final int LENGTH = 1024;

    @Option(names = "--driver", required = true, paramLabel = "FILE.so",
            description = "The driver module (bench/native/instant.c built with scripts/build-host-driver).")
    private Path driver;

    @Option(names = "--requests", defaultValue = "100000", paramLabel = "N", description = "Writes and reads measured, each.")
    private long requests;

    @Option(names = "--warmup", defaultValue = "200000", paramLabel = "N",
            description = "Writes and reads before measuring, each (JIT warm-up).")
    private long warmup;

    @Option(names = "--rounds", defaultValue = "3", paramLabel = "R", description = "Measured rounds; each is printed.")
    private int rounds;

    public static void main(String[] args) {
        int status = new CommandLine(new CpuPerRequest()).execute(args);
        System.exit(status);
    }

    @Override
    public Integer call() throws Exception {
        HostBinaries binaries = HostBinaries.locate();
        try (EmbeddedHost host = EmbeddedHost.start(binaries, driver, null)) {
            String path = DeviceInterfaces.find(DeviceInterfaces.GUID_DEVINTERFACE_ECHO).get(0);
            try (Device writer = Device.open(path, true); Device reader = Device.open(path, true)) {
                Load load = new Load(writer, reader);
                load.phase(warmup);
                for (int round = 0; round < rounds; round++) {
                    long before = processCpuNanos();
                    load.phase(requests);
                    long after = processCpuNanos();
                    System.out.printf("java: %d writes and %d reads, CPU %.3f s, %.2f us per request%n", requests, requests,
                            (after - before) / 1e9, (after - before) / 1e3 / (2.0 * requests));
                }
                System.out.println("data verified");
            }
        }
        return 0;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** The writer's and the reader's requests, resubmitted from their completions. */
    private static final class Load {
        private final Device writer;
        private final Device reader;
        private final AtomicLong writesSubmitted = new AtomicLong();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile long writeTarget;
        private volatile long readTarget;
        private final AtomicLong readsSubmitted = new AtomicLong();
        private volatile CountDownLatch done;

        Load(Device writer, Device reader) {
            this.writer = writer;
            this.reader = reader;
        }

        void phase(long count) throws InterruptedException {
            done = new CountDownLatch((int) Math.min(Integer.MAX_VALUE, 2 * count));
            writeTarget = writesSubmitted.get() + count;
            readTarget = readsSubmitted.get() + count;
            for (int i = 0; i < IN_FLIGHT && i < count; i++) {
                nextWrite(new byte[LENGTH]);
                nextRead(new byte[LENGTH]);
            }
            if (!done.await(10, TimeUnit.MINUTES) || failure.get() != null) {
                throw new IllegalStateException("the load did not complete", failure.get());
            }
        }

        /** Sends the next write, reusing the buffer its previous write used. */
        private void nextWrite(byte[] data) {
            long number;
            do {
                number = writesSubmitted.get();
                if (number >= writeTarget) {
                    return;
                }
            } while (!writesSubmitted.compareAndSet(number, number + 1));
            long written = number;
            fill(number, data);
            CompletableFuture<Integer> request = writer.writeAsync(data);
            request.whenComplete((bytes, error) -> {
                if (error != null || bytes != LENGTH) {
                    fail(error != null ? error : new IllegalStateException("write " + written + ": " + bytes + " bytes"));
                    return;
                }
                done.countDown();
                nextWrite(data);
            });
        }

        private void nextRead(byte[] buffer) {
            long number;
            do {
                number = readsSubmitted.get();
                if (number >= readTarget) {
                    return;
                }
            } while (!readsSubmitted.compareAndSet(number, number + 1));
            long read = number;
            CompletableFuture<Integer> request = reader.readAsync(buffer);
            request.whenComplete((bytes, error) -> {
                if (error != null || (bytes > 0 && !isSomeWrite(buffer, bytes))) {
                    fail(error != null ? error : new IllegalStateException("read " + read + ": bytes no write sent"));
                    return;
                }
                done.countDown();
                nextRead(buffer);
            });
        }

        private boolean isSomeWrite(byte[] data, int length) {
            if (length < 8) {
                return false;
            }
            long number = 0;
            for (int i = 7; i >= 0; i--) {
                number = (number << 8) | (data[i] & 0xFF);
            }
            if (number < 0 || number >= writesSubmitted.get()) {
                return false;
            }
            byte[] expected = new byte[length];
            fill(number, expected);
            return Arrays.equals(expected, 0, length, data, 0, length);
        }

        private void fail(Throwable why) {
            failure.compareAndSet(null, why);
            CountDownLatch latch = done;
            while (latch.getCount() > 0) {
                latch.countDown();
            }
        }
    }

    /** echoapp's pattern: the write number in the first 8 bytes, then a xorshift sequence seeded with it. */
    static void fill(long number, byte[] data) {
        int i = 0;
        for (; i < Math.min(8, data.length); i++) {
            data[i] = (byte) (number >>> (8 * i));
        }
        long state = number * 0x9E3779B97F4A7C15L + 0x2545F4914F6CDD1DL;
        while (i < data.length) {
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            for (int b = 0; b < Long.BYTES && i < data.length; b++, i++) {
                data[i] = (byte) (state >>> (8 * b));
            }
        }
    }
}
