package io.conifer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator sees when `conifer serve` cannot start: one line saying what is wrong and what to do, exit 2. */
class StartupErrorsTest {
    @TempDir
    Path dir;

    /** The server's own output (the JVM's note about the incubating vector module is not the server's). */
    private static List<String> serverLines(ChildServer.Exit exit) {
        return exit.output().lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).toList();
    }

    private static void assertOneLine(ChildServer.Exit exit, String... mentions) {
        assertEquals(2, exit.code(), exit.output());
        List<String> lines = serverLines(exit);
        assertEquals(1, lines.size(), "exactly one line, no stack trace:\n" + exit.output());
        assertTrue(lines.get(0).startsWith("conifer: "), lines.get(0));
        for (String m : mentions) assertTrue(lines.get(0).contains(m), "should mention '" + m + "': " + lines.get(0));
    }

    @Test
    void controlPortInUse() throws Exception {
        int port = TestServer.freePortRange();
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            assertOneLine(ChildServer.serveUntilExit(dir.resolve("data"), port), Integer.toString(port), "in use", "--port");
        }
    }

    @Test
    void unresolvableBindAddress() throws Exception {
        assertOneLine(ChildServer.serveUntilExit(dir.resolve("data"), TestServer.freePortRange(), "--bind", "no-such-host.invalid"),
                "no-such-host.invalid", "--bind");
    }

    @Test
    void aBackupDirectoryThatCannotBeCreated() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        Path backups = file.resolve("backups");
        assertOneLine(ChildServer.serveUntilExit(dir.resolve("data"), TestServer.freePortRange(), "--backup-dir", backups.toString()),
                file.toString(), "could not start");
    }

    @Test
    void readOnlyDataDirectory() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", data.toString())
                .redirectErrorStream(true).start();
        assumeTrue(mount.waitFor() == 0, "mounting a read-only tmpfs needs root: " + new String(mount.getInputStream().readAllBytes()));
        try {
            assertOneLine(ChildServer.serveUntilExit(data, TestServer.freePortRange()), data.toString(), "not writable",
                    "Read-only file system", "--data-dir");
        } finally {
            new ProcessBuilder("umount", data.toString()).start().waitFor();
        }
    }
}
