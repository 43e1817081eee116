package io.conifer.cli;

import io.conifer.files.IoErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code --api-key-file} (env CONIFER_API_KEY_FILE): API keys read from a file, which unlike {@code
 * --api-key} puts no secret in the process list ({@code ps}, {@code /proc/PID/cmdline}) or the shell's
 * history. Blank lines and lines starting with {@code #} are skipped: a comment must never become a key.
 * Messages name the file and what named it, never what it holds. Every failure is an
 * IllegalArgumentException, a usage error.
 */
final class ApiKeyFile {
    static final String ENV = "CONIFER_API_KEY_FILE";

    private ApiKeyFile() {}

    /** A key file and what named it ({@code --api-key-file} or {@link #ENV}), as a message names it. */
    record Source(Path file, String namedBy) {
        @Override
        public String toString() {
            return namedBy + " " + file;
        }
    }

    /**
     * The keys a command runs with, {@code keys} (from {@code --api-key} or CONIFER_API_KEY) or {@code
     * file}'s as {@code read} takes them (from {@code --api-key-file} or CONIFER_API_KEY_FILE). Either
     * option outranks both variables, as an option outranks the environment; both options, or both
     * variables, are ambiguous.
     */
    static String choose(CommandSpec spec, String keys, Path file, Function<Source, String> read) {
        CommandLine.ParseResult given = spec.commandLine().getParseResult();
        boolean keyOption = given.hasMatchedOption("--api-key");
        boolean fileOption = given.hasMatchedOption("--api-key-file");
        if (keyOption && fileOption) throw new IllegalArgumentException("give the API key once: --api-key or --api-key-file, not both");
        if (keyOption) return keys;
        if (fileOption) return read.apply(new Source(file, "--api-key-file"));
        // Neither option: both values, if any, are the environment's.
        if (file == null) return keys;
        // A variable set but empty (a path that expanded to nothing) must not leave a server open to any key.
        if (file.toString().isBlank()) throw new IllegalArgumentException(ENV + " is set but empty: set it to the key file, or unset it");
        if (keys != null && !keys.isBlank()) {
            throw new IllegalArgumentException("give the API key once: CONIFER_API_KEY and " + ENV + " are both set; unset one"
                    + " (--api-key or --api-key-file would outrank both)");
        }
        return read.apply(new Source(file, ENV));
    }

    /** A server's keys: entries as {@code --api-key} takes them, one or several (comma-separated) a line. */
    static String serverKeys(Source source) {
        List<String> entries = entries(source);
        // An empty file would start a server open to any key, when the operator meant to set keys.
        if (entries.isEmpty()) throw new IllegalArgumentException(source + " holds no key");
        return String.join(",", entries);
    }

    /** A client's key: the file's first line, trimmed (a server's key file gives its first key). */
    static String clientKey(Source source) {
        List<String> entries = entries(source);
        if (entries.isEmpty()) throw new IllegalArgumentException(source + " holds no key");
        return entries.get(0);
    }

    private static List<String> entries(Source source) {
        try {
            return Files.readAllLines(source.file(), StandardCharsets.UTF_8).stream().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + source + " (" + IoErrors.describe(e) + ")", e);
        }
    }
}
