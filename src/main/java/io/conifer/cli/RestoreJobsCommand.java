package io.conifer.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code conifer restore-jobs list|describe}: a running server's restore jobs. */
@Command(name = "restore-jobs", description = "List and describe the restore jobs of a running server.",
        subcommands = {RestoreJobsCommand.List.class, RestoreJobsCommand.Describe.class})
final class RestoreJobsCommand implements Runnable {
    @Override
    public void run() {
        picocli.CommandLine.usage(this, System.out);
    }

    @Command(name = "list", description = "List the project's restore jobs, oldest first.")
    static final class List implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Override
        public Integer call() {
            return client.list("restore-jobs", new Table("RESTORE_JOB_ID", "BACKUP_ID", "INDEX", "STATUS", "PERCENT", "CREATED"),
                    j -> new Object[] {Fields.text(j, "restore_job_id"), Fields.text(j, "backup_id"), Fields.text(j, "target_index_name"),
                            Fields.text(j, "status"), Fields.text(j, "percent_complete"), Fields.text(j, "created_at")});
        }
    }

    @Command(name = "describe", description = "Describe one restore job.")
    static final class Describe implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "RESTORE_JOB_ID")
        String id;

        @Override
        public Integer call() {
            return client.describe("restore-jobs/" + ControlPlaneClient.segment(id));
        }
    }
}
