package org.echodriver.echoapp.cli;

import com.sun.jna.Platform;
import java.io.Console;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.echodriver.echoapp.device.Device;
import org.echodriver.echoapp.device.DeviceInterfaces;
import org.echodriver.echoapp.host.EmbeddedHost;
import org.echodriver.echoapp.host.HostBinaries;
import org.echodriver.echoapp.host.HostUnavailableException;
import org.echodriver.echoapp.win32.Win32CallException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The echoapp command: the Java counterpart of the WDK's echoapp.exe. */
@Command(name = "echoapp", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {
            "Exercises the KMDF echo driver: finds its device through SetupAPI by the interface GUID "
                    + "{CDC35B6E-0BE4-4936-BF5F-5537380A7C1A}, opens it and sends writes and reads.",
            "Without options: writes a 512-byte pattern, reads it back and verifies it; then the same with 30 KiB.",
            "On Linux the driver runs in the embedded user-mode KMDF host, which echoapp starts first and stops "
                    + "(device removed, driver unloaded) on the way out.",
            "Ctrl-C at any moment cancels the outstanding I/O, waits for it, prints what was done and exits with 130."
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:success",
            "1:an I/O request failed, data did not verify, or the embedded host reported a failure",
            "2:usage error",
            "3:no device (interface absent or path not openable)",
            "130:interrupted by Ctrl-C"
        })
public final class EchoApp implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = {"-Async", "--async"}, arity = "0..1", fallbackValue = "100", paramLabel = "N",
            description = "Send N overlapped writes and N overlapped reads (default ${FALLBACK-VALUE}), writer and reader "
                    + "each on its own handle and completion port, up to 100 of each in flight.")
    private Long async;

    @Option(names = "--forever", description = "With -Async: keep going until Ctrl-C.")
    private boolean forever;

    @Option(names = "--device", paramLabel = "PATH", description = "Open PATH instead of searching by interface GUID.")
    private String device;

    @Option(names = "--list", description = "Print the interface paths found, then exit.")
    private boolean list;

    @Option(names = "--driver", paramLabel = "autosync|driversync|FILE.so", defaultValue = "autosync",
            description = "The driver the embedded host loads (not on Windows): a variant of the echo driver, "
                    + "or a module built by scripts/build-host-driver. Default: ${DEFAULT-VALUE}.")
    private String driver;

    @Option(names = "--timer-ms", paramLabel = "MS",
            description = "The driver's timer period in the embedded host (1..10000; not on Windows). "
                    + "Default: the driver's own (10 ms).")
    private Integer timerMs;

    private final Interrupt interrupt;

    /** A command whose runs stop when {@code interrupt} is raised. */
    public EchoApp(Interrupt interrupt) {
        this.interrupt = interrupt;
    }

    /** A command that no Ctrl-C reaches (for embedding). */
    public EchoApp() {
        this(new Interrupt());
    }

    /** Runs echoapp with Ctrl-C handling, then exits with its status. */
    public static void main(String[] args) {
        Interrupt interrupt = new Interrupt();
        SignalHandling.install(interrupt);
        System.exit(commandLine(interrupt).execute(args));
    }

    /** The picocli command line of echoapp, with its exit-code mapping. */
    public static CommandLine commandLine(Interrupt interrupt) {
        CommandLine commandLine = new CommandLine(new EchoApp(interrupt));
        commandLine.setExitCodeExceptionMapper(e -> e instanceof ParameterException ? ExitCodes.USAGE : ExitCodes.FAILURE);
        return commandLine;
    }

    @Override
    public Integer call() throws InterruptedException {
        validate();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        EmbeddedHost host = null;
        int status = ExitCodes.FAILURE;
        try {
            if (!Platform.isWindows()) {
                host = startHost(err);
                if (host == null) {
                    status = ExitCodes.NO_DEVICE;
                    return status;
                }
            }
            status = run(out, err);
        } catch (RuntimeException e) {
            err.println("echoapp: unexpected failure: " + e);
            e.printStackTrace(err);
            status = ExitCodes.FAILURE;
        } finally {
            out.flush();
            if (host != null) {
                try {
                    host.close();
                } catch (HostUnavailableException e) {
                    err.println("echoapp: the embedded KMDF host failed while stopping: " + e.getMessage());
                    if (status == ExitCodes.SUCCESS || status == ExitCodes.INTERRUPTED) {
                        status = ExitCodes.FAILURE;
                    }
                }
            }
            err.flush();
        }
        if (status == ExitCodes.SUCCESS && interrupt.isRequested()) {
            status = ExitCodes.INTERRUPTED;
        }
        return status;
    }

    private void validate() {
        CommandLine commandLine = spec.commandLine();
        if (Platform.isWindows()) {
            if (spec.findOption("--driver").originalStringValues().size() > 0) {
                throw new ParameterException(commandLine,
                        "--driver is for the embedded host on Linux; on Windows install echo.sys with its INF instead");
            }
            if (timerMs != null) {
                throw new ParameterException(commandLine,
                        "--timer-ms is for the embedded host on Linux; on Windows set TimerPeriodMs under the "
                                + "EchoKmdf service's Parameters key instead");
            }
        }
        if (async != null && async < 1) {
            throw new ParameterException(commandLine, "-Async N needs N >= 1, not " + async);
        }
        if (forever && async == null) {
            throw new ParameterException(commandLine, "--forever goes with -Async");
        }
        if (list && (async != null || device != null)) {
            throw new ParameterException(commandLine, "--list takes no -Async and no --device");
        }
        if (timerMs != null && (timerMs < 1 || timerMs > 10000)) {
            throw new ParameterException(commandLine, "--timer-ms must be 1..10000, not " + timerMs);
        }
        if (!isVariant(driver) && !Files.isRegularFile(Path.of(driver))) {
            throw new ParameterException(commandLine,
                    "--driver must be autosync, driversync or an existing driver module, not '" + driver + "'");
        }
    }

    private static boolean isVariant(String driver) {
        return driver.equals("autosync") || driver.equals("driversync");
    }

    /** Starts the embedded host with the chosen driver and its device; null (after a message) when it cannot. */
    private EmbeddedHost startHost(PrintWriter err) {
        try {
            HostBinaries directory = HostBinaries.locate();
            directory.requireLibrary();
            Path module = isVariant(driver) ? directory.echoDriver(driver) : Path.of(driver);
            return EmbeddedHost.start(directory, module, timerMs);
        } catch (HostUnavailableException e) {
            err.println("echoapp: no device: the embedded KMDF host could not start the echo device: " + e.getMessage());
            return null;
        }
    }

    private int run(PrintWriter out, PrintWriter err) throws InterruptedException {
        if (interrupt.isRequested()) {
            out.println("Interrupted before any I/O");
            return ExitCodes.INTERRUPTED;
        }
        String path = device;
        try {
            if (list || path == null) {
                List<String> paths = DeviceInterfaces.find(DeviceInterfaces.GUID_DEVINTERFACE_ECHO);
                if (list) {
                    paths.forEach(out::println);
                }
                if (paths.isEmpty()) {
                    err.println("echoapp: no device: no interface of class " + DeviceInterfaces.GUID_DEVINTERFACE_ECHO.toGuidString()
                            + " is present (SetupDiEnumDeviceInterfaces found none).");
                    err.println(likelyCauses());
                    return ExitCodes.NO_DEVICE;
                }
                if (list) {
                    return ExitCodes.SUCCESS;
                }
                path = paths.get(0);
            }
        } catch (Win32CallException e) {
            err.println("echoapp: no device: " + e.getMessage());
            err.println(likelyCauses());
            return ExitCodes.NO_DEVICE;
        }
        out.println("DevicePath: " + path);
        return async == null ? runSync(path, out, err) : runAsync(path, out, err);
    }

    private int runSync(String path, PrintWriter out, PrintWriter err) {
        Device opened;
        try {
            opened = Device.open(path, false);
        } catch (Win32CallException e) {
            return cannotOpen(path, e, err);
        }
        out.println("Opened device successfully");
        out.flush();
        int status;
        try (Device device = opened) {
            status = new SyncTest(device, out, err).run(interrupt);
        }
        return status;
    }

    private int runAsync(String path, PrintWriter out, PrintWriter err) throws InterruptedException {
        Device writer;
        Device reader;
        try {
            writer = Device.open(path, true);
        } catch (Win32CallException e) {
            return cannotOpen(path, e, err);
        }
        try {
            reader = Device.open(path, true);
        } catch (Win32CallException e) {
            writer.close();
            return cannotOpen(path, e, err);
        }
        out.println("Opened device successfully");
        out.println("Starting AsyncIo");
        out.flush();
        long count = forever ? Long.MAX_VALUE : async;
        boolean perRequestLines = !forever && count <= 1000;
        AsyncTest test = new AsyncTest(writer, reader, count, out, perRequestLines);
        AsyncTest.Snapshot result = null;
        RuntimeException closeFailure = null;
        boolean showProgress = !perRequestLines && onTerminal();
        AtomicReference<Progress> progress = new AtomicReference<>();
        try (Device w = writer; Device r = reader) {
            try {
                result = test.run(interrupt, () -> {
                    if (forever) {
                        out.println("AsyncIo running until Ctrl-C");
                        out.flush();
                    }
                    if (showProgress) {
                        progress.set(new Progress(out, test::snapshot));
                    }
                });
            } finally {
                Progress shown = progress.get();
                if (shown != null) {
                    shown.close();
                }
            }
        } catch (RuntimeException e) {
            if (result == null) {
                throw e;
            }
            // The run is over and counted; closing a handle failed (or a cancelled request
            // never came back): the summary still says what was done.
            closeFailure = e;
        }
        out.println(result.summary());
        if (result.failure() != null || closeFailure != null) {
            if (result.failure() != null) {
                err.println("echoapp: " + result.failure());
            }
            if (closeFailure != null) {
                err.println("echoapp: " + closeFailure.getMessage());
            }
            return ExitCodes.FAILURE;
        }
        if (result.interrupted()) {
            out.println("Interrupted by Ctrl-C: outstanding requests cancelled");
            return ExitCodes.INTERRUPTED;
        }
        out.println("AsyncIo completed: every read returned no data or a prefix of what a write sent");
        return ExitCodes.SUCCESS;
    }

    /**
     * True when the standard streams are a terminal. Up to JDK 21 System.console() is null
     * otherwise; JDK 22 to 24 return a console for redirected streams as well, and say
     * whether it is a terminal through Console.isTerminal() (JDK 22), called reflectively
     * since this code is compiled for Java 17.
     */
    static boolean onTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    private int cannotOpen(String path, Win32CallException e, PrintWriter err) {
        err.println("echoapp: no device: cannot open " + path + ": " + e.getMessage());
        err.println(likelyCauses());
        return ExitCodes.NO_DEVICE;
    }

    private static String likelyCauses() {
        if (Platform.isWindows()) {
            return "Likely causes: the echo driver is not installed (install it with its INF), the device is disabled "
                    + "or has a problem in Device Manager, or the path is not one that --list prints.";
        }
        return "Likely causes: the embedded host did not start the echo device (see any message above), the driver "
                + "module does not register the echo interface, or the path is not one that --list prints.";
    }

    /**
     * Ctrl-C handling: a SIGINT handler (on Windows the JVM turns the console's CTRL_C_EVENT
     * into SIGINT) that raises the interrupt. It uses sun.misc.Signal of the jdk.unsupported
     * module, the JDK's supported way to intercept a signal, through reflection so that the
     * build stays free of internal-API warnings.
     */
    static final class SignalHandling {
        private SignalHandling() {
        }

        /**
         * Replaces the JVM's SIGINT handling (which would run shutdown hooks and exit at
         * once) so that the run can cancel and drain its I/O and stop the host first. A
         * second Ctrl-C while stopping ends the process at once.
         */
        static void install(Interrupt interrupt) {
            Runnable onSignal = () -> {
                if (interrupt.isRequested()) {
                    Runtime.getRuntime().halt(ExitCodes.INTERRUPTED);
                }
                interrupt.request();
            };
            try {
                Class<?> signalClass = Class.forName("sun.misc.Signal");
                Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
                Object handler = java.lang.reflect.Proxy.newProxyInstance(handlerClass.getClassLoader(),
                        new Class<?>[] {handlerClass}, (proxy, method, arguments) -> {
                            if (method.getName().equals("handle")) {
                                onSignal.run();
                                return null;
                            }
                            if (method.getName().equals("toString")) {
                                return "echoapp Ctrl-C handler";
                            }
                            if (method.getName().equals("hashCode")) {
                                return System.identityHashCode(proxy);
                            }
                            if (method.getName().equals("equals")) {
                                return proxy == arguments[0];
                            }
                            throw new UnsupportedOperationException(method.getName());
                        });
                Object signal = signalClass.getConstructor(String.class).newInstance("INT");
                signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
            } catch (ReflectiveOperationException | RuntimeException e) {
                Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ? e.getCause() : e;
                System.err.println("echoapp: Ctrl-C cannot be intercepted here (" + cause + ")");
            }
        }
    }
}
