package io.conifer.restore;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.conifer.files.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The durable record of restore jobs, rewritten atomically on each state change and on progress (a restart fails or completes any job that was running, keeping its progress).
 */
final class RestoreJobStore {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path file;
    private final Map<String, RestoreJob> jobs = new LinkedHashMap<>();

    RestoreJobStore(Path file) throws IOException {
        this.file = file;
        if (Files.exists(file)) {
            for (RestoreJob j : JSON.readValue(file.toFile(), Stored.class).jobs()) jobs.put(j.restoreJobId(), j);
        }
    }

    synchronized List<RestoreJob> all() {
        return new ArrayList<>(jobs.values());
    }

    synchronized RestoreJob get(String id) {
        return jobs.get(id);
    }

    synchronized void put(RestoreJob job) throws IOException {
        RestoreJob previous = jobs.put(job.restoreJobId(), job);
        try {
            DurableFiles.writeAtomically(file, JSON.writeValueAsBytes(new Stored(new ArrayList<>(jobs.values()))));
        } catch (IOException e) {
            if (previous == null) jobs.remove(job.restoreJobId());
            else jobs.put(job.restoreJobId(), previous);
            throw e;
        }
    }

    /**
     * Records a job's end. Unlike {@link #put}, the end stands here even if the file cannot be written
     * (a full disk), so the job stops holding its backup now: the file still says it runs, and the next
     * start ends it the same way, from whether its index serves.
     */
    synchronized void end(RestoreJob job) throws IOException {
        jobs.put(job.restoreJobId(), job);
        DurableFiles.writeAtomically(file, JSON.writeValueAsBytes(new Stored(new ArrayList<>(jobs.values()))));
    }

    record Stored(List<RestoreJob> jobs) {}
}
