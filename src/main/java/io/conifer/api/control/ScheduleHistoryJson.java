package io.conifer.api.control;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.conifer.backup.BackupManifest;
import io.conifer.backup.BackupStatus;
import io.conifer.schedule.BackupSchedule;
import io.conifer.schedule.HistoryEntry;
import io.conifer.schedule.ScheduleService;

/**
 * BackupScheduleHistoryItem of 2026-07: a backup the schedule made (from its manifest), a run that
 * could not start, or the {@code Scheduled} next run. Counts and size are null until a backup is
 * Ready, tags and description null when it has none; the schema is the index's typed 2026-07 schema.
 */
final class ScheduleHistoryJson {
    private ScheduleHistoryJson() {}

    static ObjectNode item(ScheduleService.History h, HistoryEntry e) {
        BackupSchedule s = h.schedule();
        BackupManifest m = e.manifest();
        ObjectNode n = JsonBody.JSON.createObjectNode();
        n.put("backup_id", e.backupId());
        n.put("source_index_id", m != null ? m.sourceIndexId() : s.indexId());
        n.put("source_index_name", m != null ? m.sourceIndexName() : s.indexName());
        n.put("name", e.name());
        // Both nullable in the spec, which sends null rather than leaving them out.
        Dialect2026_07.tags(n, m != null ? m.tags() : null);
        n.put("description", m != null ? m.description() : null);
        n.put("status", e.status());
        n.put("cloud", m != null ? m.cloud() : s.cloud());
        n.put("region", m != null ? m.region() : s.region());
        if (m != null) {
            n.set("schema", Dialect2026_07.schema(m.indexSchema()));
            boolean ready = m.status() == BackupStatus.Ready;
            n.put("record_count", ready ? m.recordCount() : null);
            n.put("namespace_count", ready ? (Integer) m.namespaceCount() : null);
            n.put("size_bytes", ready ? m.sizeBytes() : null);
        } else if (h.index() != null) {
            n.set("schema", Dialect2026_07.schema(h.index().schema()));
        }
        n.put("created_at", e.createdAt());
        if (e.scheduledExecutionAt() != null) n.put("scheduled_execution_at", e.scheduledExecutionAt());
        return n;
    }
}
