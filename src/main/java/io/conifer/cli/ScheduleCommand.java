package io.conifer.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code conifer schedule ...}: the backup schedules of a running server (API 2026-07). */
@Command(name = "schedule", description = "Create, list, change and delete backup schedules on a running server.")
final class ScheduleCommand {
    private static String path(String scheduleId) {
        return "backup-schedules/" + ControlPlaneClient.segment(scheduleId);
    }

    @Command(name = "list", description = "List an index's backup schedules.")
    int list(@Mixin ClientOptions client,
            @Option(names = "--index", required = true, paramLabel = "NAME", description = "The index.") String index) {
        return client.list("indexes/" + ControlPlaneClient.segment(index) + "/backup-schedules",
                new Table("SCHEDULE_ID", "NAME", "FREQUENCY", "RETENTION_DAYS", "ENABLED", "NEXT_RUN"),
                s -> new Object[] {Fields.text(s, "schedule_id"), Fields.text(s, "name"), Fields.text(s, "frequency"),
                        Fields.text(s, "retention_expire_after_days"), Fields.text(s, "enabled"),
                        Fields.text(s, "next_scheduled_run")});
    }

    @Command(name = "create", description = "Back an index up daily, weekly or monthly (at 06:00 UTC), keeping each"
            + " backup for a number of days.")
    int create(@Mixin ClientOptions client,
            @Option(names = "--index", required = true, paramLabel = "NAME", description = "The index.") String index,
            @Option(names = "--name", required = true, description = "The schedule's name.") String name,
            @Option(names = "--frequency", required = true, paramLabel = "daily|weekly|monthly") String frequency,
            @Option(names = "--retention-days", required = true, paramLabel = "DAYS",
                    description = "Delete the schedule's backups this many days after they were taken.") int retentionDays) {
        return client.run(c -> {
            ObjectNode body = ControlPlaneClient.JSON.createObjectNode().put("name", name);
            body.putObject("schedule").put("type", "time-based").put("frequency", frequency);
            body.putObject("retention").put("expire_after_days", retentionDays);
            client.show(c.post("indexes/" + ControlPlaneClient.segment(index) + "/backup-schedules", body));
            return 0;
        });
    }

    @Command(name = "describe", description = "Describe one backup schedule.")
    int describe(@Mixin ClientOptions client, @Parameters(paramLabel = "SCHEDULE_ID") String id) {
        return client.describe(path(id));
    }

    /** {@code --enable} or {@code --disable}, not both. */
    static final class Switch {
        @Option(names = "--enable", required = true, description = "Enable the schedule (it takes a backup at once).")
        boolean enable;

        @Option(names = "--disable", required = true, description = "Disable the schedule.")
        boolean disable;
    }

    @Command(name = "update", description = "Change a schedule's frequency or retention, or enable or disable it.")
    int update(@Mixin ClientOptions client, @Parameters(paramLabel = "SCHEDULE_ID") String id,
            @Option(names = "--frequency", paramLabel = "daily|weekly|monthly") String frequency,
            @Option(names = "--retention-days", paramLabel = "DAYS") Integer retentionDays,
            @ArgGroup(exclusive = true) Switch enabled) {
        return client.run(c -> {
            ObjectNode body = ControlPlaneClient.JSON.createObjectNode();
            if (frequency != null) body.put("frequency", frequency);
            if (retentionDays != null) body.putObject("retention").put("expire_after_days", retentionDays);
            if (enabled != null) body.put("enabled", enabled.enable);
            if (body.isEmpty()) {
                throw new ClientException(ClientException.USAGE,
                        "schedule update needs --frequency, --retention-days, --enable or --disable");
            }
            client.show(c.patch(path(id), body));
            return 0;
        });
    }

    @Command(name = "delete", description = "Delete a schedule (its backups stay until their retention ends).")
    int delete(@Mixin ClientOptions client, @Parameters(paramLabel = "SCHEDULE_ID") String id) {
        return client.delete(path(id), "Deleted backup schedule " + id + ".");
    }

    @Command(name = "history", description = "The backups a schedule has taken, and its next one.")
    int history(@Mixin ClientOptions client, @Parameters(paramLabel = "SCHEDULE_ID") String id) {
        return client.list(path(id) + "/history", new Table("BACKUP_ID", "NAME", "STATUS", "RECORDS", "CREATED", "SCHEDULED_AT"),
                h -> new Object[] {Fields.text(h, "backup_id"), Fields.text(h, "name"), Fields.text(h, "status"),
                        Fields.text(h, "record_count"), Fields.text(h, "created_at"), Fields.text(h, "scheduled_execution_at")});
    }
}
