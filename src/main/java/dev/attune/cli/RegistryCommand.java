package dev.attune.cli;

import dev.attune.serve.Registry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "registry", mixinStandardHelpOptions = true,
        description = "A folder of numbered model versions (v1, v2, ...) and a 'current' pointer that `serve --registry` follows.",
        subcommands = {RegistryCommand.Add.class, RegistryCommand.Promote.class, RegistryCommand.ListVersions.class})
final class RegistryCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new dev.attune.AttuneException("registry: name a subcommand: add, promote or list");
    }

    @Command(name = "add", mixinStandardHelpOptions = true, description = "Copy a fine-tuned model directory in as the next version.")
    static final class Add implements Callable<Integer> {
        @Option(names = "--registry", required = true, description = "The registry folder (created when missing).")
        Path registry;

        @Option(names = "--model", required = true, description = "A fine-tuned model directory (RUN/model).")
        Path model;

        @Option(names = "--promote", description = "Also put the new version in service.")
        boolean promote;

        @Override
        public Integer call() {
            Registry r = Registry.open(registry);
            String v = r.add(model);
            if (promote) r.promote(v);
            System.out.println(v + (promote ? " (in service)" : ""));
            return 0;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true, description = "Put a version in service (servers on the registry switch to it).")
    static final class Promote implements Callable<Integer> {
        @Option(names = "--registry", required = true, description = "The registry folder.")
        Path registry;

        @Parameters(index = "0", description = "The version, for example v2.")
        String version;

        @Override
        public Integer call() {
            Registry.open(registry).promote(version);
            System.out.println(version + " (in service)");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "The versions, the one in service marked with *.")
    static final class ListVersions implements Callable<Integer> {
        @Option(names = "--registry", required = true, description = "The registry folder.")
        Path registry;

        @Override
        public Integer call() {
            Registry r = Registry.open(registry);
            String current = r.current();
            for (String v : r.versions()) System.out.println((v.equals(current) ? "* " : "  ") + v);
            return 0;
        }
    }
}
