package io.conifer.schedule;

import io.conifer.backup.BackupManifest;

/**
 * One row of a schedule's history: the {@code Scheduled} next run, a backup the schedule made (with
 * its manifest), or a run that could not start ({@code InitializationFailed}, no manifest).
 * {@code sortKey} orders rows: the next run first, then runs newest first.
 */
public record HistoryEntry(String sortKey, String backupId, String name, String status, String createdAt,
        String scheduledExecutionAt, BackupManifest manifest) {
    public static final String SCHEDULED = "Scheduled";
    public static final String INITIALIZATION_FAILED = "InitializationFailed";
}
