package io.conifer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.conifer.server.ServerConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code conifer serve}'s options reach the server's configuration. */
class ServeOptionsTest {
    private static ServerConfig configOf(String... args) {
        CommandLine.ParseResult parsed = new CommandLine(new Main()).parseArgs(args);
        return ((Main.Serve) parsed.subcommand().commandSpec().userObject()).config();
    }

    @ParameterizedTest(name = "serve {0}")
    @CsvSource({"'', false", "--backup-read-back, true", "--backup-read-back=true, true", "--backup-read-back=false, false"})
    void backupReadBackIsOffUnlessTurnedOn(String option, boolean expected) {
        // The environment can turn it on too; a test run must not have done so, or the default is not tested.
        if (System.getenv("CONIFER_BACKUP_READ_BACK") != null) throw new IllegalStateException("CONIFER_BACKUP_READ_BACK is set");
        String[] args = option.isEmpty() ? new String[] {"serve"} : new String[] {"serve", option};
        assertEquals(expected, configOf(args).backupReadBack());
    }
}
