package io.conifer.restore;

/**
 * A restore job as reported: Pending until a worker takes it, InProgress while files are copied and
 * verified, then Completed (the index serves) or Failed (nothing of the index is left).
 */
public record RestoreJob(
        String restoreJobId,
        String project,
        String backupId,
        String targetIndexName,
        String targetIndexId,
        Status status,
        String createdAt,
        String completedAt,
        double percentComplete,
        String failureReason) {

    public enum Status {
        Pending,
        InProgress,
        Completed,
        Failed
    }

    public boolean active() {
        return status == Status.Pending || status == Status.InProgress;
    }

    RestoreJob with(Status newStatus, double percent, String completed, String reason) {
        return new RestoreJob(restoreJobId, project, backupId, targetIndexName, targetIndexId, newStatus, createdAt, completed,
                percent, reason);
    }
}
