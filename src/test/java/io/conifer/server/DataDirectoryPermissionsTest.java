package io.conifer.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.conifer.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The directories a server creates for its data (vectors, metadata, backups) are its owner's alone, as
 * PostgreSQL's are; ones that exist keep the permissions an operator gave them.
 */
class DataDirectoryPermissionsTest {
    @TempDir
    Path dir;

    @BeforeEach
    void posixOnly() throws Exception {
        assumeTrue(Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class), "not a POSIX file system");
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    @Test
    void theDataDirectoryAndBackupRepositoryAServerCreatesAreOwnerOnly() throws Exception {
        Path data = dir.resolve("parent/data");
        try (TestServer server = TestServer.start(data)) {
            assertEquals("rwx------", mode(data));
            assertEquals("rwx------", mode(data.resolve("backups")));
        }
    }

    @Test
    void directoriesThatExistKeepTheirPermissions() throws Exception {
        Path data = Files.createDirectory(dir.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-x---"));
        Path backups = dir.resolve("elsewhere/backups");
        try (TestServer server = TestServer.startWith(data, c -> c.withBackups(backups, ServerConfig.DEFAULT_BACKUP_QUOTA, 0))) {
            assertEquals("rwxr-x---", mode(data));
            assertEquals("rwx------", mode(backups), "a backup repository created outside the data directory");
        }
        Files.setPosixFilePermissions(backups, PosixFilePermissions.fromString("rwxr-x---"));
        try (TestServer server = TestServer.startWith(data, c -> c.withBackups(backups, ServerConfig.DEFAULT_BACKUP_QUOTA, 0))) {
            assertEquals("rwxr-x---", mode(backups));
        }
    }
}
