package dev.fjord.server;

import dev.fjord.common.Clock;
import dev.fjord.common.config.ConfigException;
import dev.fjord.server.config.BrokerConfig;
import dev.fjord.server.config.BrokerConfig.Endpoint;
import dev.fjord.server.log.ConsoleLogProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command-line entry point, started by {@code bin/fjord}:
 * {@code server [--config FILE] [--override key=value]...}, {@code version}, {@code --help}.
 *
 * <p>Exit codes: 0 clean stop, 1 configuration or startup error (one line on stderr, no stack trace),
 * 2 bad command-line arguments (usage on stderr).
 */
public final class FjordMain {
    /** Taken on first use, not in this class's initialisation: `server` starts its preload thread before SLF4J's set-up. */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(FjordMain.class);
    }

    private static final String SLF4J_VERBOSITY_PROPERTY = "slf4j.internal.verbosity";
    static final String NETTY_JFR_PROPERTY = "io.netty.jfr.enabled";
    static final String SELECTOR_PROVIDER_PROPERTY = "java.nio.channels.spi.SelectorProvider";
    /** What {@code sun.nio.ch.DefaultSelectorProvider} gives on Linux, JDK 17 to 25. */
    private static final String LINUX_SELECTOR_PROVIDER = "sun.nio.ch.EPollSelectorProvider";

    public static final int EXIT_OK = 0;
    public static final int EXIT_ERROR = 1;
    public static final int EXIT_USAGE = 2;

    static final String USAGE = String.join("\n",
        "Usage: fjord server [--config FILE] [--override key=value]...",
        "       fjord version",
        "       fjord --help",
        "",
        "Commands:",
        "  server     Start a broker. Without --config it listens on localhost:9092 and keeps data in ./data.",
        "  version    Print the Fjord version.",
        "  warm-up    Start and stop a throw-away broker (bin/fjord uses it to build a start-up class archive).",
        "",
        "Options for server:",
        "  --config FILE          Kafka-style server.properties (e.g. config/server.properties).",
        "  --override key=value   Set one key; wins over the file. Repeat for more keys.",
        "",
        "Unknown keys are ignored with a warning, so an existing Kafka server.properties works.",
        "Environment (bin/fjord): FJORD_HEAP_OPTS (default -Xms256m -Xmx1g -XX:+UseParallelGC), FJORD_JVM_OPTS, JAVA_HOME.",
        "Logging: one line per event on stderr; FJORD_JVM_OPTS=-Dfjord.log.level=debug for more,",
        "-Dfjord.log.level.dev.fjord.coordinator=debug for one package.",
        "");

    private FjordMain() {
    }

    /** What the command line asked for. */
    enum Action { SERVER, VERSION, HELP, WARM_UP }

    /** A parsed command line. {@code configFile} may be null; {@code overrides} keeps the order given. */
    record Command(Action action, Path configFile, Map<String, String> overrides) {
        Command {
            overrides = Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
        }

        static Command of(final Action action) {
            return new Command(action, null, Map.of());
        }
    }

    /** A command line that does not parse; the message says why. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(final String message) {
            super(message);
        }
    }

    /** Parses the arguments; no side effects. */
    static Command parse(final String[] args) throws UsageException {
        if (args.length == 0) {
            throw new UsageException("no command given");
        }
        final String command = args[0];
        switch (command) {
            case "-h":
            case "--help":
            case "help":
                return Command.of(Action.HELP);
            case "version":
            case "--version":
                if (args.length > 1) {
                    throw new UsageException("'version' takes no arguments, got '" + args[1] + "'");
                }
                return Command.of(Action.VERSION);
            case "server":
                return parseServer(args);
            case "warm-up":
                return Command.of(Action.WARM_UP);
            default:
                throw new UsageException("unknown command '" + command + "'");
        }
    }

    private static Command parseServer(final String[] args) throws UsageException {
        Path config = null;
        final Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            final String arg = args[i];
            final String value;
            final String option;
            if (arg.startsWith("--config=") || arg.startsWith("--override=")) {
                option = arg.substring(0, arg.indexOf('='));
                value = arg.substring(arg.indexOf('=') + 1);
            } else if (arg.equals("--config") || arg.equals("--override")) {
                option = arg;
                if (i + 1 >= args.length) {
                    throw new UsageException(arg + " needs a value");
                }
                value = args[++i];
            } else if (arg.equals("-h") || arg.equals("--help")) {
                return Command.of(Action.HELP);
            } else {
                throw new UsageException("unexpected argument '" + arg + "'");
            }
            if (option.equals("--config")) {
                if (config != null) {
                    throw new UsageException("--config given twice");
                }
                if (value.isBlank()) {
                    throw new UsageException("--config needs a file name");
                }
                config = Path.of(value);
            } else {
                final int eq = value.indexOf('=');
                if (eq <= 0 || value.substring(0, eq).isBlank()) {
                    throw new UsageException("--override expects key=value, got '" + value + "'");
                }
                overrides.put(value.substring(0, eq).trim(), value.substring(eq + 1));
            }
        }
        return new Command(Action.SERVER, config, overrides);
    }

    public static void main(final String[] args) {
        useConsoleLog();
        useJdkSelectorProvider();
        withoutNettyJfrEvents();
        final StartupPreload preload = args.length > 0 && "server".equals(args[0]) ? StartupPreload.begin()
                : StartupPreload.NONE;
        final int code = run(args, System.out, System.err, preload);
        if (code != EXIT_OK) {
            System.exit(code);
        }
    }

    /**
     * Logs through {@link ConsoleLogProvider} unless {@value ConsoleLogProvider#PROVIDER_PROPERTY} names another
     * SLF4J provider. Before anything takes a logger.
     */
    static void useConsoleLog() {
        if (setIfUnset(ConsoleLogProvider.PROVIDER_PROPERTY, ConsoleLogProvider.class.getName())) {
            // SLF4J would say, at its INFO level, that it loads the provider named by the property.
            setIfUnset(SLF4J_VERBOSITY_PROPERTY, "WARN");
        }
    }

    /**
     * Names the JDK's own NIO selector provider on Linux, unless the {@value #SELECTOR_PROVIDER_PROPERTY} property
     * names one already. Without it, the first {@code SelectorProvider.provider()} (Netty's event loops) looks for
     * providers with a ServiceLoader, which opens every jar on the class path: ~9 ms of CPU on the way to the
     * first answer (async-profiler), for the provider the JDK would pick anyway.
     */
    static void useJdkSelectorProvider() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return;
        }
        try {
            Class.forName(LINUX_SELECTOR_PROVIDER, false, null);
            setIfUnset(SELECTOR_PROVIDER_PROPERTY, LINUX_SELECTOR_PROVIDER);
        } catch (ClassNotFoundException e) {
            // another JDK layout: let the JDK look
        }
    }

    /**
     * Turns off Netty's JFR allocator events unless {@value #NETTY_JFR_PROPERTY} is set: registering them loads
     * JFR's event machinery when the first buffer allocator is made, ~6 ms of CPU on the way to the first
     * answer (async-profiler), and their classes cannot go into the start-up class archive. Set the property
     * to true (FJORD_JVM_OPTS) to record them.
     */
    static void withoutNettyJfrEvents() {
        setIfUnset(NETTY_JFR_PROPERTY, "false");
    }

    /** Sets a system property unless it is set already (with -D, say). Whether this set it. */
    private static boolean setIfUnset(final String key, final String value) {
        if (System.getProperty(key) != null) {
            return false;
        }
        System.setProperty(key, value);
        return true;
    }

    /** Runs a command line; for {@code server} blocks until the broker stops. Returns the exit code. */
    static int run(final String[] args, final PrintStream out, final PrintStream err) {
        return run(args, out, err, StartupPreload.NONE);
    }

    private static int run(final String[] args, final PrintStream out, final PrintStream err,
                           final StartupPreload preload) {
        final Command command;
        try {
            command = parse(args);
        } catch (final UsageException e) {
            err.println("fjord: " + e.getMessage());
            err.println();
            err.print(USAGE);
            return EXIT_USAGE;
        }
        switch (command.action()) {
            case HELP:
                out.print(USAGE);
                return EXIT_OK;
            case VERSION:
                out.println("Fjord " + version());
                return EXIT_OK;
            case WARM_UP:
                try {
                    WarmUp.run();
                    return EXIT_OK;
                } catch (final IOException e) {
                    err.println("fjord: warm-up failed: " + e);
                    return EXIT_ERROR;
                }
            default:
                return runServer(command, err, preload);
        }
    }

    private static int runServer(final Command command, final PrintStream err, final StartupPreload preload) {
        Log.LOG.isInfoEnabled(); // SLF4J's set-up, before the preload's second phase
        final BrokerConfig config;
        try {
            config = BrokerConfig.load(command.configFile(), command.overrides());
        } catch (final ConfigException e) {
            err.println(configMessage(e, command));
            return EXIT_ERROR;
        }
        preload.configured(Broker.networkConfig(config));
        Log.LOG.info("Starting Fjord {} (node.id={}, config: {})", version(), config.nodeId(),
            command.configFile() == null ? "defaults" : command.configFile().toAbsolutePath().normalize());

        final AtomicReference<Broker> running = new AtomicReference<>();
        final Thread hook = new Thread(() -> {
            final Broker broker = running.get();
            if (broker != null) {
                Log.LOG.info("Shutting down");
                broker.close();
            }
        }, "fjord-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        final Broker broker;
        try {
            preload.awaitProtocol();
            broker = Broker.start(config, Clock.SYSTEM, preload);
        } catch (final IOException | RuntimeException e) {
            preload.closeUnused();
            removeHook(hook);
            if (isAddressInUse(e)) {
                err.println(portInUseMessage(busyEndpoint(config)));
            } else if (e instanceof ConfigException) {
                err.println(configMessage((ConfigException) e, command));
            } else {
                err.println("Fjord failed to start: " + e);
                e.printStackTrace(err);
            }
            return EXIT_ERROR;
        }
        running.set(broker);
        try {
            broker.awaitShutdown();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            broker.close();
        }
        return EXIT_OK;
    }

    /** A config error's message, naming the file the user passed with --config where it says where to fix it. */
    static String configMessage(final ConfigException e, final Command command) {
        return command.configFile() == null ? e.getMessage()
            : e.getMessage().replace(ConfigException.CONFIG_FILE_HINT, command.configFile().toString());
    }

    private static void removeHook(final Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (final IllegalStateException alreadyShuttingDown) {
            // nothing to undo
        }
    }

    /** A BindException anywhere in the cause chain, or a native transport's "Address already in use". */
    static boolean isAddressInUse(final Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
            if (t.getMessage() != null && t.getMessage().contains("Address already in use")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** The first listener whose port cannot be bound now; the first listener if none can be pinned down. */
    static Endpoint busyEndpoint(final BrokerConfig config) {
        for (final Endpoint endpoint : config.listeners()) {
            if (endpoint.port() == 0) {
                continue;
            }
            try (ServerSocket probe = new ServerSocket()) {
                probe.bind(endpoint.allInterfaces() ? new InetSocketAddress(endpoint.port())
                    : new InetSocketAddress(endpoint.host(), endpoint.port()));
            } catch (final IOException e) {
                return endpoint;
            }
        }
        return config.listeners().get(0);
    }

    static String portInUseMessage(final Endpoint endpoint) {
        final String where = endpoint.allInterfaces() ? "all interfaces" : endpoint.host();
        final int other = endpoint.port() >= 65535 ? 9092 : endpoint.port() + 1;
        final Endpoint suggestion = new Endpoint(endpoint.name(), endpoint.host(), other);
        return "Port " + endpoint.port() + " on " + where + " is already in use (another broker running?). "
            + "Stop it or set listeners=" + suggestion + " via --override.";
    }

    /** The project version baked in at build time, or "unknown" when run from unfiltered classes. */
    static String version() {
        try (InputStream in = FjordMain.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                final Properties p = new Properties();
                p.load(in);
                final String v = p.getProperty("version");
                if (v != null && !v.startsWith("${")) {
                    return v;
                }
            }
        } catch (final IOException e) {
            // fall through
        }
        return Objects.requireNonNullElse(FjordMain.class.getPackage().getImplementationVersion(), "unknown");
    }
}
