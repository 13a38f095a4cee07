package io.simjoin.jobs;

import io.simjoin.bench.BenchCommand;
import io.simjoin.jobs.demo.DemoCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code simjoin} command line, the main class of {@code jobs/target/simjoin.jar}; the root
 * {@code ./simjoin} launcher builds that jar when it is stale and runs it with the right JVM flags.
 *
 * <pre>{@code
 * ./simjoin bench --items synthetic:clustered:n=1000000,d=64,seed=1
 * ./simjoin help bench
 * }</pre>
 */
@Command(
    name = "simjoin",
    mixinStandardHelpOptions = true,
    version = "simjoin 0.1.0-SNAPSHOT",
    description = "Exact streaming top-k maximum-inner-product join.",
    subcommands = {
      RunCommand.class,
      TailCommand.class,
      ProduceCommand.class,
      DemoCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    })
public final class SimjoinCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new SimjoinCli()).execute(args));
  }
}
