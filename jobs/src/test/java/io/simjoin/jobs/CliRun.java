package io.simjoin.jobs;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * One in-process run of the {@code simjoin} command line, with what it printed: the tests drive the
 * same {@link SimjoinCli} the launcher does, so flags and exit codes are the user's.
 *
 * @param exit the command's exit code
 * @param out what it wrote to standard output
 * @param err what it wrote to standard error
 */
record CliRun(int exit, String out, String err) {

  /** Runs {@code simjoin <args>} and waits for it. */
  static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new SimjoinCli());
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new CliRun(exit, out.toString(), err.toString());
  }
}
