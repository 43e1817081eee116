package io.conifer.api.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.ServiceRequestContext;
import com.linecorp.armeria.server.annotation.Blocking;
import com.linecorp.armeria.server.annotation.Delete;
import com.linecorp.armeria.server.annotation.Get;
import com.linecorp.armeria.server.annotation.Param;
import com.linecorp.armeria.server.annotation.Patch;
import com.linecorp.armeria.server.annotation.Post;
import io.conifer.schedule.BackupSchedule;
import io.conifer.schedule.Frequency;
import io.conifer.schedule.HistoryEntry;
import io.conifer.schedule.ScheduleRules;
import io.conifer.schedule.ScheduleService;
import java.io.IOException;
import java.util.Optional;

/**
 * The six backup-schedule operations of API 2026-07: create, list per index, describe, update, delete
 * and history. Lists default to 100 items, as every list new in 2026-07 does.
 */
@Blocking
public final class BackupSchedulesApi {
    private final ScheduleService schedules;
    private final PageTokens tokens;

    public BackupSchedulesApi(ScheduleService schedules, PageTokens tokens) {
        this.schedules = schedules;
        this.tokens = tokens;
    }

    @Post("/indexes/{index_name}/backup-schedules")
    public HttpResponse create(ServiceRequestContext ctx, @Param("index_name") String indexName, String body) throws IOException {
        ObjectNode req = JsonBody.parse(body);
        String name = JsonBody.requiredString(req, "name", "");
        ObjectNode schedule = JsonBody.object(req, "schedule", "");
        if (schedule == null) throw JsonBody.unprocessable("Failed to deserialize the JSON body: missing field `schedule`");
        String type = JsonBody.requiredString(schedule, "type", " in `schedule`");
        String frequency = JsonBody.requiredString(schedule, "frequency", " in `schedule`");
        int retention = retentionDays(req);
        ScheduleRules.name(name);
        ScheduleRules.type(type);
        ScheduleRules.retentionDays(retention);
        BackupSchedule s = schedules.create(ControlPlaneAuth.project(ctx), indexName,
                new ScheduleService.NewSchedule(name, Frequency.fromApi(frequency), retention));
        return IndexesApi.json(HttpStatus.OK, model(s));
    }

    @Get("/indexes/{index_name}/backup-schedules")
    public HttpResponse list(ServiceRequestContext ctx, @Param("index_name") String indexName,
            @Param("limit") Optional<String> limit, @Param("paginationToken") Optional<String> token) throws IOException {
        String project = ControlPlaneAuth.project(ctx);
        PageTokens.Page<BackupSchedule> page = tokens.page(schedules.list(project, indexName), ScheduleService::sortKey,
                "backup-schedules\u0000" + project + "\u0000" + indexName, limit.orElse(null), token.orElse(null),
                ControlPlaneAuth.dialect(ctx).defaultPageSize());
        return IndexesApi.json(HttpStatus.OK, page.toJson(BackupSchedulesApi::model));
    }

    @Get("/backup-schedules/{schedule_id}")
    public HttpResponse describe(ServiceRequestContext ctx, @Param("schedule_id") String id) throws IOException {
        return IndexesApi.json(HttpStatus.OK, model(schedules.describe(ControlPlaneAuth.project(ctx), id)));
    }

    @Patch("/backup-schedules/{schedule_id}")
    public HttpResponse update(ServiceRequestContext ctx, @Param("schedule_id") String id, String body) throws IOException {
        ObjectNode req = JsonBody.parse(body);
        String frequency = JsonBody.string(req, "frequency", "");
        Integer retention = JsonBody.present(req, "retention") ? retentionDays(req) : null;
        JsonNode enabled = req.get("enabled");
        if (enabled != null && !enabled.isNull() && !enabled.isBoolean()) {
            throw JsonBody.unprocessable("Failed to deserialize the JSON body: `enabled` must be a boolean");
        }
        if (retention != null) ScheduleRules.retentionDays(retention);
        ScheduleService.Changes changes = new ScheduleService.Changes(frequency == null ? null : Frequency.fromApi(frequency),
                retention, enabled == null || enabled.isNull() ? null : enabled.booleanValue());
        return IndexesApi.json(HttpStatus.OK, model(schedules.update(ControlPlaneAuth.project(ctx), id, changes)));
    }

    @Delete("/backup-schedules/{schedule_id}")
    public HttpResponse delete(ServiceRequestContext ctx, @Param("schedule_id") String id) throws IOException {
        schedules.delete(ControlPlaneAuth.project(ctx), id);
        return HttpResponse.of(ResponseHeaders.of(HttpStatus.NO_CONTENT));
    }

    @Get("/backup-schedules/{schedule_id}/history")
    public HttpResponse history(ServiceRequestContext ctx, @Param("schedule_id") String id,
            @Param("limit") Optional<String> limit, @Param("paginationToken") Optional<String> token) throws IOException {
        String project = ControlPlaneAuth.project(ctx);
        ScheduleService.History h = schedules.history(project, id);
        PageTokens.Page<HistoryEntry> page = tokens.page(h.entries(), HistoryEntry::sortKey,
                "backup-schedule-history\u0000" + project + "\u0000" + id, limit.orElse(null), token.orElse(null),
                ControlPlaneAuth.dialect(ctx).defaultPageSize());
        return IndexesApi.json(HttpStatus.OK, page.toJson(e -> ScheduleHistoryJson.item(h, e)));
    }

    private static int retentionDays(ObjectNode req) {
        ObjectNode retention = JsonBody.object(req, "retention", "");
        if (retention == null) throw JsonBody.unprocessable("Failed to deserialize the JSON body: missing field `retention`");
        Integer days = JsonBody.integer(retention, "expire_after_days");
        if (days == null) {
            throw JsonBody.unprocessable("Failed to deserialize the JSON body: missing field `expire_after_days` in `retention`");
        }
        return days;
    }

    /** BackupScheduleResponse: every field required, {@code next_scheduled_run} null while disabled. */
    static ObjectNode model(BackupSchedule s) {
        ObjectNode n = JsonBody.JSON.createObjectNode();
        n.put("schedule_id", s.scheduleId());
        n.put("name", s.name());
        n.put("index_id", s.indexId());
        n.put("project_id", s.project());
        n.put("schedule_type", ScheduleRules.TIME_BASED);
        n.put("frequency", s.frequency().apiName());
        n.put("retention_expire_after_days", s.retentionDays());
        n.put("enabled", s.enabled());
        n.put("next_scheduled_run", s.nextRun());
        n.put("created_at", s.createdAt());
        return n;
    }
}
