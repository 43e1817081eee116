package io.conifer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.conifer.ChildServer;
import io.conifer.Http;
import io.conifer.TestServer;
import io.conifer.auth.ApiKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code conifer serve --api-key-file}: the keys a server takes without putting them in its process list. */
class ServeApiKeyFileTest {
    @TempDir
    Path dir;

    private static String keysOf(String... args) {
        CommandLine.ParseResult parsed = new CommandLine(new Main()).parseArgs(args);
        return ((Main.Serve) parsed.subcommand().commandSpec().userObject()).config().apiKeys();
    }

    @Test
    void theFileHoldsKeysAsApiKeyTakesThem() throws Exception {
        Path file = Files.writeString(dir.resolve("keys"), "# the team's keys\nk1\n\n  k2:team , k3\n");

        ApiKeys keys = ApiKeys.parse(keysOf("serve", "--api-key-file", file.toString()));

        assertEquals(ApiKeys.DEFAULT_PROJECT, keys.projectOf("k1"));
        assertEquals("team", keys.projectOf("k2"));
        assertEquals(ApiKeys.DEFAULT_PROJECT, keys.projectOf("k3"));
        assertNull(keys.projectOf("# the team's keys"), "a comment is no key");
    }

    @Test
    void aFileThatGivesNoKeyIsRefusedWithoutShowingWhatItHolds() throws Exception {
        // Started with no key, the server would accept any: the operator meant to set some.
        Path empty = Files.writeString(dir.resolve("empty"), "\n# s3cret-but-commented\n");
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> keysOf("serve", "--api-key-file", empty.toString()));
        assertTrue(none.getMessage().contains(empty.toString()) && none.getMessage().contains("holds no key"), none.getMessage());
        assertFalse(none.getMessage().contains("s3cret"), none.getMessage());

        Path missing = dir.resolve("missing");
        IllegalArgumentException unread = assertThrows(IllegalArgumentException.class,
                () -> keysOf("serve", "--api-key-file", missing.toString()));
        assertTrue(unread.getMessage().contains("cannot read --api-key-file " + missing), unread.getMessage());

        Path file = Files.writeString(dir.resolve("keys"), "k1\n");
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> keysOf("serve", "--api-key", "k2", "--api-key-file", file.toString()));
        assertTrue(both.getMessage().contains("not both"), both.getMessage());
    }

    @Test
    void aServerStartedWithAKeyFileTakesItsKeysAndShowsNoneInItsCommandLine() throws Exception {
        Path file = Files.writeString(dir.resolve("keys"), TestServer.KEY + "\nteam-s3cret:team\n");
        int port = TestServer.freePortRange();
        try (ChildServer server = ChildServer.startKeyedBy(dir.resolve("data"), port, port + 1,
                List.of("--api-key-file", file.toString()))) {
            assertEquals(200, new Http(server.url(), "team-s3cret").get("/indexes").status());
            assertEquals(401, new Http(server.url(), "not-a-key").get("/indexes").status());

            Path cmdline = Path.of("/proc", Long.toString(server.pid()), "cmdline");
            assumeTrue(Files.isReadable(cmdline), "no /proc to read the command line from");
            String seen = Files.readString(cmdline).replace('\0', ' ');
            assertTrue(seen.contains("--api-key-file " + file), seen);
            assertFalse(seen.contains("team-s3cret") || seen.contains(TestServer.KEY), seen);
        }
    }

    /** CONIFER_API_KEY_FILE gives the server its keys as --api-key-file does, out of its command line too. */
    @Test
    void theEnvironmentNamesTheKeyFile() throws Exception {
        Path file = Files.writeString(dir.resolve("keys"), TestServer.KEY + "\nteam-s3cret:team\n");
        int port = TestServer.freePortRange();
        try (ChildServer server = ChildServer.startKeyedBy(dir.resolve("data"), port, port + 1, List.of(),
                Map.of("CONIFER_API_KEY_FILE", file.toString()))) {
            assertEquals(200, new Http(server.url(), "team-s3cret").get("/indexes").status());
            assertEquals(401, new Http(server.url(), "not-a-key").get("/indexes").status());
        }
    }

    /** Both variables set, which keys were meant is unclear: the server does not start, and says so without showing any. */
    @Test
    void bothVariablesSetStopTheServerAtStart() throws Exception {
        Path file = Files.writeString(dir.resolve("keys"), "file-s3cret\n");
        ChildServer.Exit exit = ChildServer.serveUntilExit(dir.resolve("data"), TestServer.freePortRange(), List.of(),
                Map.of("CONIFER_API_KEY", "env-s3cret", "CONIFER_API_KEY_FILE", file.toString()));
        assertEquals(2, exit.code(), exit.output());
        assertTrue(exit.output().contains("conifer: give the API key once: CONIFER_API_KEY and CONIFER_API_KEY_FILE are both set"),
                exit.output());
        assertFalse(exit.output().contains("s3cret"), exit.output());
    }
}
