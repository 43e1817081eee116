package io.conifer.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The backup key options, shared by {@code serve} and {@code backup verify}. */
final class BackupKeyOptions {
    @Option(names = "--backup-encryption-key-file", defaultValue = "${env:CONIFER_BACKUP_ENCRYPTION_KEY_FILE}",
            description = "Encrypt new backups (AES-256-GCM) with the 256-bit key in this file: 32 raw bytes or 64 hex"
                    + " characters, e.g. from `openssl rand -hex 32` (env CONIFER_BACKUP_ENCRYPTION_KEY_FILE). Also decrypts"
                    + " backups it encrypted.")
    Path encryptionKeyFile;

    @Option(names = "--backup-decryption-key-file", split = ",", defaultValue = "${env:CONIFER_BACKUP_DECRYPTION_KEY_FILES}",
            description = "Another key file backups are read with (repeatable, or comma-separated in env"
                    + " CONIFER_BACKUP_DECRYPTION_KEY_FILES): the old key after a rotation.")
    List<Path> decryptionKeyFiles = new ArrayList<>();

    List<Path> decryptionKeyFiles() {
        return decryptionKeyFiles == null ? List.of() : decryptionKeyFiles;
    }
}
