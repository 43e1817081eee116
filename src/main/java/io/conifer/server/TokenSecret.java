package io.conifer.server;

import io.conifer.files.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/** The key that signs pagination tokens: random per data directory, kept so tokens survive restarts. */
final class TokenSecret {
    private TokenSecret() {}

    static byte[] load(Path file) throws IOException {
        if (Files.exists(file)) {
            byte[] secret = Files.readAllBytes(file);
            if (secret.length == 32) return secret;
        }
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            DurableFiles.writeAtomically(file, secret,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } else {
            DurableFiles.writeAtomically(file, secret);
        }
        return secret;
    }
}
