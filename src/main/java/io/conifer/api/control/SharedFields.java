package io.conifer.api.control;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.conifer.backup.BackupManifest;
import io.conifer.backup.BackupStatus;
import io.conifer.restore.RestoreJob;

/**
 * The leading fields of BackupModel and RestoreJobModel, which every API version writes alike, with
 * {@code failure_reason} on a failed one (the specs do not close these models; every official SDK keeps
 * or ignores fields it does not name).
 */
final class SharedFields {
    private SharedFields() {}

    /** {@code sourceDeletedAt} is written only when given (versions that know it, a deleted source). */
    static ObjectNode backup(BackupManifest m, String sourceDeletedAt, String status) {
        ObjectNode n = JsonBody.JSON.createObjectNode();
        n.put("backup_id", m.backupId());
        n.put("source_index_name", m.sourceIndexName());
        n.put("source_index_id", m.sourceIndexId());
        if (sourceDeletedAt != null) n.put("source_index_deleted_at", sourceDeletedAt);
        if (m.name() != null) n.put("name", m.name());
        if (m.description() != null) n.put("description", m.description());
        n.put("status", status);
        if (m.status() == BackupStatus.Failed && m.failureReason() != null) n.put("failure_reason", m.failureReason());
        n.put("cloud", m.cloud());
        n.put("region", m.region());
        return n;
    }

    static ObjectNode restoreJob(RestoreJob j, String status) {
        ObjectNode n = JsonBody.JSON.createObjectNode();
        n.put("restore_job_id", j.restoreJobId());
        n.put("backup_id", j.backupId());
        n.put("target_index_name", j.targetIndexName());
        n.put("target_index_id", j.targetIndexId());
        n.put("status", status);
        n.put("created_at", j.createdAt());
        if (j.status() == RestoreJob.Status.Failed && j.failureReason() != null) n.put("failure_reason", j.failureReason());
        return n;
    }
}
