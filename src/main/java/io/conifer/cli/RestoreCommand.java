package io.conifer.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code conifer restore}: a new index from a backup, on a running server. */
@Command(name = "restore", description = "Create a new index from a backup; with --wait, follow the restore job until it ends.")
final class RestoreCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Option(names = "--backup", required = true, paramLabel = "BACKUP_ID", description = "The backup to restore.")
    String backupId;

    @Option(names = "--name", required = true, paramLabel = "NEW", description = "The new index's name (not in use).")
    String name;

    @Option(names = "--deletion-protection", description = "Create the index with deletion protection enabled.")
    boolean deletionProtection;

    @Option(names = "--tag", paramLabel = "KEY=VALUE", description = "A tag for the new index (repeatable).")
    Map<String, String> tags;

    @Option(names = "--wait", description = "Wait until the restore job has Completed (or Failed), showing its progress.")
    boolean wait;

    @Override
    public Integer call() {
        return client.run(c -> {
            ObjectNode body = ControlPlaneClient.JSON.createObjectNode().put("name", name);
            if (deletionProtection) body.put("deletion_protection", "enabled");
            if (tags != null) tags.forEach(body.putObject("tags")::put);
            JsonNode started = c.post("backups/" + ControlPlaneClient.segment(backupId) + "/create-index", body);
            String job = started.path("restore_job_id").asText();
            if (!wait) {
                if (client.json) client.printJson(started);
                else client.out().println("Restore job " + job + " started: index '" + name + "' from backup " + backupId
                        + ". Follow it with: conifer restore-jobs describe " + job);
                return 0;
            }
            if (!client.json) client.out().println("Restore job " + job + " started: index '" + name + "' from backup " + backupId + ".");
            long size = backupSize(c);
            JsonNode end = OperationPoller.await(() -> c.get("restore-jobs/" + ControlPlaneClient.segment(job)),
                    j -> !j.path("status").asText().equals("Pending"), j -> progress(j, size),
                    client.json ? ProgressView.silent() : ProgressView.of("restore", Terminal.interactive(), client.out()));
            boolean completed = end.path("status").asText().equals("Completed");
            if (client.json) {
                client.printJson(end);
            } else if (completed) {
                client.out().println("Restore job " + job + " Completed: index '" + name + "' is ready.");
            } else {
                client.err().println("conifer: restore job " + job + " is " + end.path("status").asText() + ": "
                        + end.path("failure_reason").asText("(no reason given)"));
            }
            return completed ? 0 : ClientException.OPERATION_FAILED;
        });
    }

    /**
     * The bytes a restore copies are the backup's {@code size_bytes} (restore jobs report percents
     * only); 0, so percents alone are shown, when the backup cannot be described (deleted since).
     */
    private long backupSize(ControlPlaneClient c) {
        try {
            return c.get("backups/" + ControlPlaneClient.segment(backupId)).path("size_bytes").asLong();
        } catch (ClientException e) {
            return 0;
        }
    }

    private static Progress progress(JsonNode job, long size) {
        return switch (job.path("status").asText()) {
            case "Completed" -> Progress.of(100, size);
            case "Pending" -> Progress.of(job.path("percent_complete").asInt(), size);
            default -> null;
        };
    }
}
