package org.echodriver.echoapp.bench;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.echodriver.echoapp.device.Device;
import org.echodriver.echoapp.device.DeviceInterfaces;
import org.echodriver.echoapp.host.EmbeddedHost;
import org.echodriver.echoapp.host.HostBinaries;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmarks of echoapp-lib's overlapped hot path against a driver that completes at
 * once (bench/native/instant.c, named by -Dbench.driver=FILE.so), in the embedded host:
 * one write and one read round trip, and a batch of 100 writes and 100 reads in flight.
 * The time includes the host's I/O manager and framework, which run in this process.
 *
 * <pre>
 * java -Dbench.driver=target/bench/instant.so -jar echoapp/bench/target/benchmarks.jar HotPath
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "-XX:+UseSerialGC")
public class HotPathBenchmark {
    private static final int IN_FLIGHT = 100;

    @Param({"1024"})
    public int length;

    private EmbeddedHost host;
    private Device device;
    private byte[] data;
    private byte[] buffer;
    private byte[][] buffers;
    @SuppressWarnings("unchecked")
    private final CompletableFuture<Integer>[] requests = new CompletableFuture[2 * IN_FLIGHT];

    @Setup(Level.Trial)
    public void start() {
        String driver = System.getProperty("bench.driver");
        if (driver == null) {
            throw new IllegalStateException("-Dbench.driver=FILE.so names the driver (bench/native/instant.c built with "
                    + "scripts/build-host-driver)");
        }
        host = EmbeddedHost.start(HostBinaries.locate(), Path.of(driver), null);
        device = Device.open(DeviceInterfaces.find(DeviceInterfaces.GUID_DEVINTERFACE_ECHO).get(0), true);
        data = new byte[length];
        buffer = new byte[length];
        buffers = new byte[IN_FLIGHT][length];
    }

    @TearDown(Level.Trial)
    public void stop() {
        device.close();
        host.close();
    }

    /** One overlapped write, then one overlapped read, each awaited. */
    @Benchmark
    public int writeThenRead() {
        return device.writeAsync(data).join() + device.readAsync(buffer).join();
    }

    /** 100 writes and 100 reads submitted together, then awaited: per request. */
    @Benchmark
    @OperationsPerInvocation(2 * IN_FLIGHT)
    public int batchOf200() {
        for (int i = 0; i < IN_FLIGHT; i++) {
            requests[2 * i] = device.writeAsync(data);
            requests[2 * i + 1] = device.readAsync(buffers[i]);
        }
        int total = 0;
        for (CompletableFuture<Integer> request : requests) {
            total += request.join();
        }
        return total;
    }
}
