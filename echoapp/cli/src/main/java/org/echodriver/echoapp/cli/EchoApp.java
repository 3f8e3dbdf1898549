package org.echodriver.echoapp.cli;

import com.sun.jna.Platform;
import java.io.Console;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.echodriver.echoapp.device.Device;
import org.echodriver.echoapp.device.DeviceInterfaces;
import org.echodriver.echoapp.host.EmbeddedHost;
import org.echodriver.echoapp.host.HostBinaries;
import org.echodriver.echoapp.host.HostCallException;
import org.echodriver.echoapp.host.HostUnavailableException;
import org.echodriver.echoapp.win32.Win32CallException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionStrategy;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.TypeConversionException;

/**
 * The echoapp command: the Java counterpart of the WDK's echoapp.exe.
 *
 * <p>The command is declared through picocli's programmatic API ({@link #spec}) rather than
 * its annotations: reading an annotation makes the JDK generate a proxy class for its type
 * at run time, which an AppCDS archive cannot hold, and that was most of what a
 * {@code --version} or {@code --help} cost beyond the JVM's own start.
 */
public final class EchoApp implements Callable<Integer> {
    /** Bounded -Async runs of up to this many requests print a line per request, as the WDK's echoapp does. */
    static final long PER_REQUEST_LINES_MAX = 1000;
    /** What the host's loader returns for a file that is not an ELF shared object. */
    private static final int STATUS_INVALID_IMAGE_FORMAT = 0xC000007B;

    private CommandSpec spec;
    private Long async;
    private boolean forever;
    private String device;
    private boolean list;
    private String driver;
    private Integer timerMs;
    private boolean verbose;

    /**
     * The command's model: its options in the order the help lists them, then the help and
     * version options that picocli's {@code mixinStandardHelpOptions} would add (same names
     * and descriptions), the description and the exit-status list. The options keep their
     * values; {@link #call} reads them from here.
     */
    static CommandSpec spec(EchoApp app) {
        CommandSpec spec = CommandSpec.wrapWithoutInspection(app);
        spec.name("echoapp");
        spec.versionProvider(new VersionProvider());
        spec.usageMessage()
                .sortOptions(false)
                .autoWidth(true)
                .description(
                        "Exercises the KMDF echo driver: finds its device through SetupAPI by the interface GUID "
                                + "{CDC35B6E-0BE4-4936-BF5F-5537380A7C1A}, opens it and sends writes and reads.",
                        "Without options: writes a 512-byte pattern, reads it back and verifies it; then the same "
                                + "with 30 KiB.",
                        "On Linux the driver runs in the embedded user-mode KMDF host, which echoapp starts first and "
                                + "stops (device removed, driver unloaded) on the way out.",
                        "Ctrl-C, SIGTERM or SIGHUP at any moment cancels the outstanding I/O, waits for it, prints what "
                                + "was done and exits with 130, 143 or 129; a second signal while stopping says what it "
                                + "waits for, a third exits at once.",
                        "-Async runs of up to " + PER_REQUEST_LINES_MAX + " requests print a line per request; longer runs "
                                + "and --forever print a progress line instead (rewritten in place on a terminal, a new "
                                + "line every 5 s otherwise).")
                .exitCodeListHeading("%nExit status:%n")
                .exitCodeList(exitCodeList());
        spec.addOption(OptionSpec.builder("-Async", "--async").type(Long.class).arity("0..1").fallbackValue("100")
                .paramLabel("N")
                .description("Send N overlapped writes and N overlapped reads (default ${FALLBACK-VALUE}), writer and "
                        + "reader each on its own handle and completion port, up to 100 of each in flight. N is at most "
                        + "9223372036854775807 (counters are 64-bit: no run reaches that).")
                .build());
        spec.addOption(OptionSpec.builder("--forever").type(boolean.class).initialValue(false)
                .description("With -Async: keep going until Ctrl-C.").build());
        spec.addOption(OptionSpec.builder("--device").type(String.class).paramLabel("PATH")
                .description("Open PATH instead of searching by interface GUID.").build());
        spec.addOption(OptionSpec.builder("--list").type(boolean.class).initialValue(false)
                .description("Print the interface paths found, then exit.").build());
        spec.addOption(OptionSpec.builder("--driver").type(String.class).paramLabel("autosync|driversync|FILE.so")
                .defaultValue("autosync")
                .description("The driver the embedded host loads (not on Windows): a variant of the echo driver, "
                        + "or a module built by scripts/build-host-driver. Default: ${DEFAULT-VALUE}.")
                .build());
        spec.addOption(OptionSpec.builder("--timer-ms").type(Integer.class).paramLabel("MS")
                .description("The driver's timer period in the embedded host (1..10000; not on Windows). "
                        + "Default: the driver's own (10 ms).")
                .build());
        spec.addOption(OptionSpec.builder("--verbose").type(boolean.class).initialValue(false)
                .description("Log each Win32 call the library makes, with its result, on stderr "
                        + "(java.util.logging logger org.echodriver.echoapp at FINE).")
                .build());
        spec.addOption(OptionSpec.builder("-h", "--help").type(boolean.class).initialValue(false).usageHelp(true)
                .descriptionKey("mixinStandardHelpOptions.help").description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").type(boolean.class).initialValue(false).versionHelp(true)
                .descriptionKey("mixinStandardHelpOptions.version").description("Print version information and exit.")
                .build());
        app.spec = spec;
        return spec;
    }

    private static Map<String, String> exitCodeList() {
        Map<String, String> codes = new LinkedHashMap<>();
        codes.put("0", "success");
        codes.put("1", "an I/O request failed, data did not verify, or the embedded host reported a failure");
        codes.put("2", "usage error");
        codes.put("3", "no device (interface absent, path not openable, or the embedded host cannot load the driver or "
                + "start its device)");
        codes.put("129", "stopped by SIGHUP (cancelled and drained, as for Ctrl-C)");
        codes.put("130", "interrupted by Ctrl-C");
        codes.put("134", "the host's verifier found a driver bug and aborted (its VERIFIER: line is on stderr)");
        codes.put("143", "stopped by SIGTERM (cancelled and drained, as for Ctrl-C)");
        return codes;
    }

    private boolean flag(String name) {
        return Boolean.TRUE.equals(spec.findOption(name).getValue());
    }

    /** Takes the parsed option values from the model. */
    private void readOptions() {
        async = spec.findOption("--async").getValue();
        forever = flag("--forever");
        device = spec.findOption("--device").getValue();
        list = flag("--list");
        driver = spec.findOption("--driver").getValue();
        timerMs = spec.findOption("--timer-ms").getValue();
        verbose = flag("--verbose");
    }

    private final Interrupt interrupt;

    /** A command whose runs stop when {@code interrupt} is raised. */
    public EchoApp(Interrupt interrupt) {
        this.interrupt = interrupt;
    }

    /** A command that no Ctrl-C reaches (for embedding). */
    public EchoApp() {
        this(new Interrupt());
    }

    /** Runs echoapp with Ctrl-C, SIGTERM and SIGHUP handling, then exits with its status. */
    public static void main(String[] args) {
        Interrupt interrupt = new Interrupt();
        CheckedStream stdout = new CheckedStream(new FileOutputStream(FileDescriptor.out));
        CommandLine commandLine = commandLine(interrupt);
        commandLine.setExecutionStrategy(new WithSignalHandling(interrupt));
        commandLine.setOut(new PrintWriter(new OutputStreamWriter(stdout, Charset.defaultCharset()), true));
        int status = commandLine.execute(args);
        commandLine.getOut().flush();
        IOException failure = stdout.failure();
        if (failure != null) {
            System.err.println("echoapp: cannot write to standard output: " + Messages.escape(failure.getMessage()));
            if (status == ExitCodes.SUCCESS) {
                status = ExitCodes.FAILURE;
            }
        }
        System.exit(status);
    }

    /**
     * Standard output that keeps the first write error, which PrintWriter would swallow, so
     * that a run whose output was lost (a full disk, a closed pipe) does not exit 0.
     */
    static final class CheckedStream extends FilterOutputStream {
        private volatile IOException failure;

        CheckedStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                record(e);
                throw e;
            }
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                record(e);
                throw e;
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                record(e);
                throw e;
            }
        }

        private void record(IOException e) {
            if (failure == null) {
                failure = e;
            }
        }

        IOException failure() {
            return failure;
        }
    }

    /**
     * The picocli command line of echoapp: exit-code mapping, number converters, one-line usage errors.
     * These are classes, not lambdas: a lambda's first use links it through invokedynamic, which
     * generates method-handle classes at run time, and a --help or --version would pay for that.
     */
    public static CommandLine commandLine(Interrupt interrupt) {
        CommandLine commandLine = new CommandLine(spec(new EchoApp(interrupt)));
        commandLine.setExitCodeExceptionMapper(new ExitCodeMapper());
        WholeNumbers numbers = new WholeNumbers();
        commandLine.registerConverter(Long.class, numbers.longs).registerConverter(Long.TYPE, numbers.longs)
                .registerConverter(Integer.class, numbers.ints).registerConverter(Integer.TYPE, numbers.ints);
        commandLine.setParameterExceptionHandler(new UsageErrors());
        return commandLine;
    }

    /** A usage error exits 2, anything else that escapes the command 1. */
    private static final class ExitCodeMapper implements IExitCodeExceptionMapper {
        @Override
        public int getExitCode(Throwable e) {
            return e instanceof ParameterException ? ExitCodes.USAGE : ExitCodes.FAILURE;
        }
    }

    /** Numbers with messages in plain words ("is not a whole number", not Java's "is not a long"). */
    private static final class WholeNumbers {
        final ITypeConverter<Long> longs = new ITypeConverter<Long>() {
            @Override
            public Long convert(String value) {
                try {
                    return Long.parseLong(value);
                } catch (NumberFormatException e) {
                    throw new TypeConversionException("'" + value + "' is not a whole number");
                }
            }
        };
        final ITypeConverter<Integer> ints = new ITypeConverter<Integer>() {
            @Override
            public Integer convert(String value) {
                try {
                    return Integer.parseInt(value);
                } catch (NumberFormatException e) {
                    throw new TypeConversionException("'" + value + "' is not a whole number from " + Integer.MIN_VALUE
                            + " to " + Integer.MAX_VALUE);
                }
            }
        };
    }

    /** A usage error: one line naming the options as typed, control characters escaped, then picocli's hint. */
    private static final class UsageErrors implements IParameterExceptionHandler {
        @Override
        public int handleParseException(ParameterException e, String[] args) {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("echoapp: " + Messages.escape(usingTypedNames(e, Arrays.asList(args))));
            err.println(Messages.HELP_HINT);
            err.flush();
            return ExitCodes.USAGE;
        }
    }

    /**
     * Runs the command (picocli's RunLast) after replacing the JVM's handling of Ctrl-C,
     * SIGTERM and SIGHUP, which a run that only prints its help or version does without:
     * it has no I/O to cancel, and the JVM's own handling exits with the same statuses
     * (130, 143, 129).
     */
    private static final class WithSignalHandling implements IExecutionStrategy {
        private final Interrupt interrupt;

        WithSignalHandling(Interrupt interrupt) {
            this.interrupt = interrupt;
        }

        @Override
        public int execute(ParseResult parseResult) {
            if (!parseResult.isUsageHelpRequested() && !parseResult.isVersionHelpRequested()) {
                SignalHandling.install(interrupt);
            }
            return new CommandLine.RunLast().execute(parseResult);
        }
    }

    /** picocli names an option by its longest name; the user may have typed another (-Async, not --async). */
    private static String usingTypedNames(ParameterException e, List<String> args) {
        String message = e.getMessage();
        if (e.getArgSpec() instanceof OptionSpec option) {
            String typed = Messages.typedName(option, args);
            if (!typed.equals(option.longestName())) {
                message = message.replace("'" + option.longestName() + "'", "'" + typed + "'");
            }
        }
        return message;
    }

    @Override
    public Integer call() throws InterruptedException {
        readOptions();
        validate();
        if (verbose) {
            Verbose.enable();
        }
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
                if (timerMs != null && !host.timerPeriodWasRead()) {
                    err.println("echoapp: --timer-ms " + timerMs + " has no effect: the driver did not read "
                            + EmbeddedHost.TIMER_PERIOD_VALUE + " under the " + EmbeddedHost.SERVICE_NAME
                            + " service's Parameters key");
                    err.flush();
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
                interrupt.waitingFor(() -> "the embedded KMDF host to remove the device and unload the driver");
                try {
                    host.close();
                } catch (HostUnavailableException e) {
                    err.println("echoapp: the embedded KMDF host failed while stopping: " + Messages.escape(e.getMessage()));
                    if (status == ExitCodes.SUCCESS || isInterruptStatus(status)) {
                        status = ExitCodes.FAILURE;
                    }
                }
            }
            err.flush();
        }
        if (status == ExitCodes.SUCCESS && interrupt.isRequested()) {
            status = interrupt.exitStatus();
        }
        return status;
    }

    private static boolean isInterruptStatus(int status) {
        return status == ExitCodes.INTERRUPTED || status == ExitCodes.TERMINATED || status == ExitCodes.HANGUP;
    }

    /** An option's name as the user typed it. */
    private String typed(String name) {
        return Messages.typedName(spec.findOption(name), spec.commandLine().getParseResult().originalArgs());
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
            throw new ParameterException(commandLine, typed("-Async") + " N needs N >= 1, not " + async);
        }
        if (forever && async == null) {
            throw new ParameterException(commandLine, "--forever goes with -Async");
        }
        if (list && async != null) {
            throw new ParameterException(commandLine, "--list takes no " + typed("-Async"));
        }
        if (list && device != null) {
            throw new ParameterException(commandLine, "--list takes no --device");
        }
        if (timerMs != null && (timerMs < 1 || timerMs > 10000)) {
            throw new ParameterException(commandLine, "--timer-ms must be 1..10000, not " + timerMs);
        }
        if (!isVariant(driver) && !Files.isRegularFile(Path.of(driver))) {
            throw new ParameterException(commandLine,
                    "--driver must be autosync, driversync or an existing driver module, not '" + Messages.escape(driver) + "'");
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
        } catch (HostCallException e) {
            err.println("echoapp: no device: the embedded KMDF host could not start the echo device: "
                    + Messages.escape(e.getMessage()));
            if (!isVariant(driver) && "KmdfHostLoadDriver".equals(e.function()) && e.status() == STATUS_INVALID_IMAGE_FORMAT) {
                // The file exists, so the command line was not wrong on its face: the host's
                // loader refused it, as Windows refuses a bad .sys when the device starts.
                err.println("The host's loader refused " + Messages.escape(driver)
                        + ": a driver module is an ELF shared object built by scripts/build-host-driver, "
                        + "exporting DriverEntry.");
            }
            return null;
        } catch (HostUnavailableException e) {
            err.println("echoapp: no device: the embedded KMDF host could not start the echo device: "
                    + Messages.escape(e.getMessage()));
            return null;
        }
    }

    private int run(PrintWriter out, PrintWriter err) throws InterruptedException {
        if (interrupt.isRequested()) {
            out.println("Interrupted before any I/O");
            return interrupt.exitStatus();
        }
        String path = device;
        try {
            if (list || path == null) {
                List<String> paths = DeviceInterfaces.find(DeviceInterfaces.GUID_DEVINTERFACE_ECHO);
                if (list) {
                    paths.forEach(found -> out.println(Messages.escape(found)));
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
            err.println("echoapp: no device: " + Messages.escape(e.getMessage()));
            err.println(likelyCauses());
            return ExitCodes.NO_DEVICE;
        }
        out.println("DevicePath: " + Messages.escape(path));
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
        interrupt.waitingFor(() -> "the synchronous ReadFile or WriteFile in progress to be cancelled (CancelIoEx)");
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
        boolean perRequestLines = !forever && count <= PER_REQUEST_LINES_MAX;
        AsyncTest test = new AsyncTest(writer, reader, count, out, perRequestLines);
        AsyncTest.Snapshot result = null;
        RuntimeException closeFailure = null;
        boolean showProgress = !perRequestLines;
        boolean terminal = onTerminal();
        AtomicReference<Progress> progress = new AtomicReference<>();
        interrupt.waitingFor(() -> {
            AsyncTest.Snapshot now = test.snapshot();
            return now.outstanding() + " cancelled requests to come back (writes and reads, cancelled with CancelIoEx), "
                    + "then the handles to close";
        });
        try (Device w = writer; Device r = reader) {
            try {
                result = test.run(interrupt, () -> {
                    if (forever) {
                        out.println("AsyncIo running until Ctrl-C");
                        out.flush();
                    }
                    if (showProgress) {
                        progress.set(new Progress(out, test::snapshot, terminal));
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
                err.println("echoapp: " + Messages.escape(result.failure()));
            }
            if (closeFailure != null) {
                err.println("echoapp: " + Messages.escape(closeFailure.getMessage()));
            }
            return ExitCodes.FAILURE;
        }
        if (result.interrupted()) {
            out.println("Interrupted by " + interrupt.reason().text() + ": outstanding requests cancelled");
            return interrupt.exitStatus();
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
        err.println("echoapp: no device: cannot open " + Messages.escape(path) + ": " + Messages.escape(e.getMessage()));
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
     * --verbose: the library's System.Logger output (its default backend is
     * java.util.logging) for org.echodriver.echoapp at FINE, one line per record, on stderr.
     */
    static final class Verbose {
        private Verbose() {
        }

        static void enable() {
            Logger logger = Logger.getLogger("org.echodriver.echoapp");
            logger.setLevel(Level.FINE);
            ConsoleHandler handler = new ConsoleHandler();
            handler.setLevel(Level.FINE);
            handler.setFormatter(new Formatter() {
                @Override
                public String format(LogRecord record) {
                    return "echoapp: " + Messages.escape(formatMessage(record)) + System.lineSeparator();
                }
            });
            logger.addHandler(handler);
            logger.setUseParentHandlers(false);
        }
    }

    /**
     * Ctrl-C, SIGTERM and SIGHUP: each raises the interrupt with its reason (the first one
     * wins), which cancels and drains the I/O, closes the handles, stops the embedded host
     * and exits 130, 143 or 129. A second signal while stopping says on stderr what the stop
     * waits for; a third exits at once with the first one's status. It uses sun.misc.Signal
     * of the jdk.unsupported module, the JDK's supported way to intercept a signal (on
     * Windows the JVM turns CTRL_C_EVENT into INT and console close into TERM), through
     * reflection so that the build stays free of internal-API warnings.
     */
    static final class SignalHandling {
        private final Interrupt interrupt;
        private final PrintWriter err;
        private final IntConsumer halt;
        private int signals;

        SignalHandling(Interrupt interrupt, PrintWriter err, IntConsumer halt) {
            this.interrupt = interrupt;
            this.err = err;
            this.halt = halt;
        }

        /** One signal arrived. */
        void onSignal(Interrupt.Reason reason) {
            int count;
            synchronized (this) {
                count = ++signals;
            }
            if (count == 1) {
                interrupt.request(reason);
            } else if (count == 2) {
                err.println("echoapp: " + reason.text() + " again: still stopping, waiting for " + interrupt.describeWait()
                        + "; one more signal exits at once");
                err.flush();
            } else {
                err.println("echoapp: " + reason.text() + " a third time: exiting at once");
                err.flush();
                halt.accept(interrupt.exitStatus());
            }
        }

        /** Replaces the JVM's handling of INT, TERM and HUP (run shutdown hooks and exit at once). */
        static void install(Interrupt interrupt) {
            SignalHandling handling = new SignalHandling(interrupt, new PrintWriter(System.err, true),
                    status -> Runtime.getRuntime().halt(status));
            for (Interrupt.Reason reason : Interrupt.Reason.values()) {
                handling.installFor(reason);
            }
        }

        private void installFor(Interrupt.Reason reason) {
            try {
                Class<?> signalClass = Class.forName("sun.misc.Signal");
                Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
                Object handler = java.lang.reflect.Proxy.newProxyInstance(handlerClass.getClassLoader(),
                        new Class<?>[] {handlerClass}, (proxy, method, arguments) -> {
                            if (method.getName().equals("handle")) {
                                onSignal(reason);
                                return null;
                            }
                            if (method.getName().equals("toString")) {
                                return "echoapp " + reason.text() + " handler";
                            }
                            if (method.getName().equals("hashCode")) {
                                return System.identityHashCode(proxy);
                            }
                            if (method.getName().equals("equals")) {
                                return proxy == arguments[0];
                            }
                            throw new UnsupportedOperationException(method.getName());
                        });
                Object signal = signalClass.getConstructor(String.class).newInstance(reason.signalName());
                signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
            } catch (ReflectiveOperationException | RuntimeException e) {
                Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ? e.getCause() : e;
                if (Platform.isWindows() && reason == Interrupt.Reason.SIGHUP) {
                    return; // Windows has no SIGHUP.
                }
                System.err.println("echoapp: " + reason.text() + " cannot be intercepted here (" + cause + ")");
            }
        }
    }
}
