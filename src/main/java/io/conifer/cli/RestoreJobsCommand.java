package io.conifer.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code conifer restore-jobs list|describe}: a running server's restore jobs. */
@Command(name = "restore-jobs", description = "List and describe the restore jobs of a running server.")
final class RestoreJobsCommand {
    @Command(name = "list", description = "List the project's restore jobs, oldest first.")
    int list(@Mixin ClientOptions client) {
        return client.list("restore-jobs", new Table("RESTORE_JOB_ID", "BACKUP_ID", "INDEX", "STATUS", "PERCENT", "CREATED"),
                j -> new Object[] {Fields.text(j, "restore_job_id"), Fields.text(j, "backup_id"),
                        Fields.text(j, "target_index_name"), Fields.text(j, "status"), Fields.text(j, "percent_complete"),
                        Fields.text(j, "created_at")});
    }

    @Command(name = "describe", description = "Describe one restore job.")
    int describe(@Mixin ClientOptions client, @Parameters(paramLabel = "RESTORE_JOB_ID") String id) {
        return client.describe("restore-jobs/" + ControlPlaneClient.segment(id));
    }
}
