package io.conifer.cli;

import io.conifer.files.IoErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code --api-key-file}: API keys read from a file, which unlike {@code --api-key} puts no secret in the
 * process list ({@code ps}, {@code /proc/PID/cmdline}) or the shell's history. Blank lines and lines
 * starting with {@code #} are skipped: a comment must never become a key. Messages name the file, never
 * what it holds. Every failure is an IllegalArgumentException, a usage error.
 */
final class ApiKeyFile {
    private ApiKeyFile() {}

    /**
     * The keys a command runs with: {@code file}'s as {@code read} takes them when a file is given, else
     * {@code keys} (from {@code --api-key} or CONIFER_API_KEY). A file given on the command line outranks
     * CONIFER_API_KEY, as an option outranks the environment; with {@code --api-key} as well it is ambiguous.
     */
    static String choose(CommandSpec spec, String keys, Path file, Function<Path, String> read) {
        if (file == null) return keys;
        if (spec.commandLine().getParseResult().hasMatchedOption("--api-key")) {
            throw new IllegalArgumentException("give the API key once: --api-key or --api-key-file, not both");
        }
        return read.apply(file);
    }

    /** A server's keys: entries as {@code --api-key} takes them, one or several (comma-separated) a line. */
    static String serverKeys(Path file) {
        List<String> entries = entries(file);
        // An empty file would start a server open to any key, when the operator meant to set keys.
        if (entries.isEmpty()) throw new IllegalArgumentException("--api-key-file " + file + " holds no key");
        return String.join(",", entries);
    }

    /** A client's key: the file's first line, trimmed (a server's key file gives its first key). */
    static String clientKey(Path file) {
        List<String> entries = entries(file);
        if (entries.isEmpty()) throw new IllegalArgumentException("--api-key-file " + file + " holds no key");
        return entries.get(0);
    }

    private static List<String> entries(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read --api-key-file " + file + " (" + IoErrors.describe(e) + ")", e);
        }
    }
}
