package io.conifer.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.conifer.files.DurableFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pagination-token key is never readable by others, not even while it is being written. */
class TokenSecretTest {
    @TempDir Path dir;

    @Test
    void theSecretIsCreatedOwnerOnlyAndKeptAcrossLoads() throws Exception {
        Path file = dir.resolve("token-secret");
        byte[] secret = TokenSecret.load(file);
        assertEquals(32, secret.length);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertArrayEquals(secret, TokenSecret.load(file));
        assertFalse(Files.exists(dir.resolve("token-secret.tmp")));
    }

    @Test
    void theNewFileTakesItsPermissionsAtCreationNotFromALeftoverTemporaryFile() throws Exception {
        Path target = dir.resolve("secret");
        Path leftover = dir.resolve("secret.tmp");
        Files.write(leftover, new byte[] {1, 2, 3});
        Files.setPosixFilePermissions(leftover, PosixFilePermissions.fromString("rw-r--r--"));

        DurableFiles.writeAtomically(target, new byte[] {7},
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        assertArrayEquals(new byte[] {7}, Files.readAllBytes(target));
        assertFalse(Files.exists(leftover));
    }
}
