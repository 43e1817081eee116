package io.conifer.files;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A directory for data other local users must not read (vectors, metadata, backups), created owner-only
 * (0700) as PostgreSQL creates its data directory: under the usual umask 022 everything in it would
 * otherwise be world-readable.
 */
public final class PrivateDirectory {
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

    private PrivateDirectory() {}

    /**
     * Creates {@code dir} owner-only (its missing parents as usual). One that exists is left as it is: an
     * operator may have chosen its permissions, say for a group that backs it up. The mode is set at
     * creation, so the directory is never open to others, not even for a moment.
     */
    public static void create(Path dir) throws IOException {
        if (Files.isDirectory(dir)) return;
        Path parent = dir.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try {
            if (parent != null && Files.getFileStore(parent).supportsFileAttributeView(PosixFileAttributeView.class)) {
                Files.createDirectory(dir, OWNER_ONLY);
            } else {
                Files.createDirectory(dir);
            }
        } catch (FileAlreadyExistsException e) {
            // Created meanwhile by someone else, with permissions that are theirs to choose.
            if (!Files.isDirectory(dir)) throw e;
        }
    }
}
