package io.conifer.cli;

import io.conifer.backup.S3Location;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the backup repository is, for every command that opens one: a directory or an S3 bucket. */
final class BackupRepoOptions {
    @Option(names = "--backup-dir", defaultValue = "${env:CONIFER_BACKUP_DIR}",
            description = "Backup repository directory (env CONIFER_BACKUP_DIR; default DATA_DIR/backups).")
    Path backupDir;

    @Option(names = "--backup-repo", defaultValue = "${env:CONIFER_BACKUP_REPO}",
            description = "Backup repository: s3://BUCKET/PREFIX for an S3-compatible bucket (credentials from the AWS SDK's"
                    + " default chain, e.g. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY), or a directory as --backup-dir"
                    + " (env CONIFER_BACKUP_REPO).")
    String backupRepo;

    @Option(names = "--s3-endpoint", defaultValue = "${env:CONIFER_S3_ENDPOINT}",
            description = "S3 endpoint URL for a service other than AWS, e.g. http://minio:9000 (env CONIFER_S3_ENDPOINT).")
    String s3Endpoint;

    @Option(names = "--s3-region", defaultValue = "${env:CONIFER_S3_REGION:-us-east-1}",
            description = "S3 region (env CONIFER_S3_REGION; default ${DEFAULT-VALUE}).")
    String s3Region;

    @Option(names = "--s3-path-style", defaultValue = "${env:CONIFER_S3_PATH_STYLE:-false}", arity = "0..1",
            description = "Address buckets as ENDPOINT/BUCKET rather than BUCKET.ENDPOINT (env CONIFER_S3_PATH_STYLE).")
    boolean s3PathStyle;

    /** The bucket, or null for a directory. */
    S3Location s3() {
        return backupRepo != null && backupRepo.startsWith("s3://")
                ? S3Location.parse(backupRepo, s3Endpoint, s3Region, s3PathStyle) : null;
    }

    /** The directory (null: the default under the data directory) when the repository is not in S3. */
    Path directory() {
        if (backupRepo == null || backupRepo.startsWith("s3://")) return backupDir;
        if (backupDir != null) throw new IllegalArgumentException("give the backup directory once: --backup-repo or --backup-dir");
        return Path.of(backupRepo);
    }
}
