package io.conifer.schedule;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.conifer.files.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The durable list of schedules with their next runs and run records. Every change rewrites the file
 * through {@link DurableFiles#writeAtomically}, so a crash leaves the previous or the new state, and a
 * change that could not be written is undone in memory too. Not thread-safe: {@link ScheduleService}
 * serialises every access.
 */
final class ScheduleStore {
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Path file;
    private final Map<String, BackupSchedule> schedules = new LinkedHashMap<>();

    ScheduleStore(Path file) throws IOException {
        this.file = file;
        if (Files.exists(file)) {
            for (BackupSchedule s : JSON.readValue(file.toFile(), Stored.class).schedules()) schedules.put(s.scheduleId(), s);
        }
    }

    List<BackupSchedule> all() {
        return new ArrayList<>(schedules.values());
    }

    BackupSchedule get(String id) {
        return id == null ? null : schedules.get(id);
    }

    void put(BackupSchedule s) throws IOException {
        BackupSchedule previous = schedules.put(s.scheduleId(), s);
        save(() -> restore(s.scheduleId(), previous));
    }

    void remove(String id) throws IOException {
        BackupSchedule previous = schedules.remove(id);
        save(() -> restore(id, previous));
    }

    private void restore(String id, BackupSchedule previous) {
        if (previous == null) schedules.remove(id);
        else schedules.put(id, previous);
    }

    private void save(Runnable undo) throws IOException {
        try {
            DurableFiles.writeAtomically(file, JSON.writeValueAsBytes(new Stored(new ArrayList<>(schedules.values()))));
        } catch (IOException e) {
            undo.run();
            throw e;
        }
    }

    record Stored(List<BackupSchedule> schedules) {}
}
