package dev.attune.cli;

import dev.attune.AttuneException;
import dev.attune.FineTune;
import dev.attune.RunSummary;
import dev.attune.Workers;
import dev.attune.config.RunConfig;
import dev.attune.engine.Collective;
import dev.attune.engine.GlooCollective;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Fine-tune a model for text classification as a YAML config describes; writes a run folder.",
                "With --nproc-per-node N (and --nnodes for several machines) it trains data-parallel over PyTorch's c10d Gloo "
                        + "backend, as torchrun would start it; a worker started by another launcher reads MASTER_ADDR, "
                        + "MASTER_PORT, WORLD_SIZE and RANK from its environment."})
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--config", required = true, description = "YAML config with sections model, data, trainer, output.")
    Path config;

    @Option(names = "--set", description = "Override a config key: section.key=value (repeatable).")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--resume", description = "Continue the run in output.dir from its last checkpoint.")
    boolean resume;

    @Option(names = "--nproc-per-node", defaultValue = "1", description = "Worker processes on this machine (default: ${DEFAULT-VALUE}); the cores are split between them.")
    int nprocPerNode;

    @Option(names = "--nnodes", defaultValue = "1", description = "Machines taking part (default: ${DEFAULT-VALUE}); each runs this command with its own --node-rank.")
    int nnodes;

    @Option(names = "--node-rank", defaultValue = "0", description = "This machine's place among the --nnodes, from 0 (default: ${DEFAULT-VALUE}).")
    int nodeRank;

    @Option(names = "--master-addr", defaultValue = "127.0.0.1", description = "Address of node 0, where rank 0 hosts the rendezvous (default: ${DEFAULT-VALUE}).")
    String masterAddr;

    @Option(names = "--master-port", description = "Port of the rendezvous on node 0 (default: 29500 with several nodes, a free port on one).")
    Integer masterPort;

    @Option(names = "--rdzv-timeout", defaultValue = "300", description = "Seconds to wait for every worker to join (default: ${DEFAULT-VALUE}).")
    int rendezvousSeconds;

    @Override
    public Integer call() {
        RunConfig cfg = RunConfig.load(config, overrides);   // a bad config fails here, before any worker starts
        if (nprocPerNode < 1) throw new AttuneException("--nproc-per-node: " + nprocPerNode + " must be at least 1");
        if (nnodes < 1) throw new AttuneException("--nnodes: " + nnodes + " must be at least 1");
        if (nodeRank < 0 || nodeRank >= nnodes) throw new AttuneException("--node-rank: " + nodeRank + " must be in 0.." + (nnodes - 1));
        if (rendezvousSeconds < 1) throw new AttuneException("--rdzv-timeout: " + rendezvousSeconds + " must be at least 1 second");
        Workers.Env env = Workers.Env.fromEnvironment(System.getenv());
        if (env == null && nprocPerNode * nnodes > 1) {                 // the launcher: start this node's workers
            int port = masterPort != null ? masterPort : nnodes > 1 ? 29500 : Workers.freePort();
            List<String> args = new ArrayList<>(List.of("train", "--config", config.toString(), "--rdzv-timeout", String.valueOf(rendezvousSeconds)));
            for (String o : overrides) args.addAll(List.of("--set", o));
            if (resume) args.add("--resume");
            return Workers.run(args, nprocPerNode, nnodes, nodeRank, masterAddr, port);
        }
        if (env == null || env.worldSize() == 1) {
            RunSummary s = FineTune.run(cfg, resume, "train");
            Summaries.print(s);
            return 0;
        }
        try (Collective group = GlooCollective.join(new GlooCollective.Rendezvous(env.masterAddr(), env.masterPort(), env.rank(),
                env.worldSize(), Duration.ofSeconds(rendezvousSeconds)))) {
            RunSummary s = FineTune.run(cfg, resume, "train", group);
            if (s != null) Summaries.print(s);
        }
        return 0;
    }
}
