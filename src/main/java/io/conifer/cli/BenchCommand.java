package io.conifer.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Benchmarks; see docs/BENCHMARKS.md. */
@Command(name = "bench", description = "Run a benchmark and print its figures.")
final class BenchCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("conifer bench: not built yet");
        return 1;
    }
}
