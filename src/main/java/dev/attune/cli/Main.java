package dev.attune.cli;

import dev.attune.AttuneException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code attune} command line: parses arguments and calls the library; no logic of its own. */
@Command(name = "attune", mixinStandardHelpOptions = true, version = "attune 0.1.0",
        description = "Fine-tune pretrained BERT-family models from Java with per-layer learning rates.",
        subcommands = {DemoCommand.class, TrainCommand.class, CompareCommand.class, PredictCommand.class, ServeCommand.class, RegistryCommand.class, ReferenceCommand.class, MonitorCommand.class, RetrainCommand.class, ExportCommand.class, EvalCommand.class, CalibrateCommand.class, MixCommand.class, EncodeCommand.class, FillMaskCommand.class, BenchmarkCommand.class, AnalyzeCommand.class, PrepareSpamAssassinCommand.class, PrepareSotuCommand.class, PrepareWordNetCommand.class, PrepareBibleCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /**
     * Runs a command line and returns its exit status: 0 success, 2 bad input ({@link AttuneException}, or an I/O
     * error from the environment such as a full disk), 3 another process of a distributed run was lost, 1 internal
     * error (any other exception: a bug).
     */
    public static int run(String... args) {
        return run(new java.io.PrintWriter(System.err, true), args);
    }

    /** As {@link #run(String...)}, with error messages going to {@code err}. */
    public static int run(java.io.PrintWriter err, String... args) {
        dev.attune.Offline.ensure();
        CommandLine cli = new CommandLine(new Main());
        cli.setErr(err);
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof dev.attune.engine.PeerLostException lost) {
                cmd.getErr().println("attune: " + oneLine(lost.getMessage()) + "; " + dev.attune.engine.PeerLostException.RESUME_HINT);
                return dev.attune.engine.PeerLostException.EXIT_STATUS;
            }
            if (ex instanceof AttuneException) {
                cmd.getErr().println("attune: " + oneLine(ex.getMessage()));
                return 2;
            }
            if (ex instanceof java.io.UncheckedIOException || ex instanceof java.io.IOException) {
                cmd.getErr().println("attune: " + oneLine(String.valueOf(ex.getMessage())));
                return 2;
            }
            // anything else is a bug in attune, not the user's input
            cmd.getErr().println("attune: internal error (a bug in attune; ATTUNE_DEBUG=1 prints the stack trace): " + oneLine(String.valueOf(ex)));
            if (System.getenv("ATTUNE_DEBUG") != null) ex.printStackTrace(cmd.getErr());
            return 1;
        });
        cli.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("attune: " + oneLine(ex.getMessage()));
            ex.getCommandLine().getErr().println("Try 'attune " + ex.getCommandLine().getCommandName() + " --help'.");
            return 2;
        });
        return cli.execute(args);
    }

    static String oneLine(String s) {
        return AttuneException.firstLine(s);
    }
}
