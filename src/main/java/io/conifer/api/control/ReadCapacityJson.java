package io.conifer.api.control;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.conifer.error.ConiferException;
import io.conifer.index.ReadCapacity;

/** {@code read_capacity} as every API version reads and writes it (2025-10 in spec.serverless, 2026-07 at the top). */
final class ReadCapacityJson {
    private ReadCapacityJson() {}

    /**
     * A {@code read_capacity} as the spec's ReadCapacity schema has it, or null when absent. Dedicated
     * is accepted and kept (one process serves it; the status says so); its settings are checked as
     * Pinecone checks them.
     */
    static ReadCapacity read(ObjectNode rc) {
        if (rc == null) return null;
        String mode = JsonBody.requiredString(rc, "mode", " in read_capacity");
        if (mode.equals("OnDemand")) return ReadCapacity.ON_DEMAND;
        if (!mode.equals("Dedicated")) {
            throw ConiferException.invalid("read_capacity mode '" + mode + "' is not valid: use 'OnDemand' or 'Dedicated'");
        }
        ObjectNode dedicated = JsonBody.object(rc, "dedicated", " in read_capacity");
        if (dedicated == null) throw ConiferException.invalid("read_capacity mode 'Dedicated' needs read_capacity.dedicated");
        String nodeType = JsonBody.requiredString(dedicated, "node_type", " in read_capacity.dedicated");
        if (!nodeType.equals("b1") && !nodeType.equals("t1")) {
            throw ConiferException.invalid("read_capacity.dedicated.node_type '" + nodeType + "' is not valid: use 'b1' or 't1'");
        }
        String scaling = JsonBody.requiredString(dedicated, "scaling", " in read_capacity.dedicated");
        if (!scaling.equals("Manual")) {
            throw ConiferException.invalid("read_capacity.dedicated.scaling '" + scaling + "' is not valid: use 'Manual'");
        }
        ObjectNode manual = JsonBody.object(dedicated, "manual", " in read_capacity.dedicated");
        if (manual == null) throw ConiferException.invalid("Manual scaling needs read_capacity.dedicated.manual {replicas, shards}");
        Integer replicas = JsonBody.integer(manual, "replicas");
        Integer shards = JsonBody.integer(manual, "shards");
        if (replicas == null || replicas < 0) {
            throw ConiferException.invalid("read_capacity.dedicated.manual.replicas must be an integer of at least 0");
        }
        if (shards == null || shards < 1) {
            throw ConiferException.invalid("read_capacity.dedicated.manual.shards must be an integer of at least 1");
        }
        return new ReadCapacity(mode, nodeType, scaling, replicas, shards);
    }

    /** The spec's ReadCapacityResponse: what was asked for, and a status of what one process serves. */
    static ObjectNode model(ReadCapacity rc) {
        ObjectNode n = JsonBody.JSON.createObjectNode();
        n.put("mode", rc.mode());
        ObjectNode status = JsonBody.JSON.createObjectNode().put("state", "Ready");
        if (rc.isDedicated()) {
            ObjectNode dedicated = n.putObject("dedicated");
            dedicated.put("node_type", rc.nodeType());
            dedicated.put("scaling", rc.scaling());
            dedicated.putObject("manual").put("replicas", rc.replicas()).put("shards", rc.shards());
            status.put("current_replicas", ReadCapacity.SERVED_REPLICAS).put("current_shards", ReadCapacity.SERVED_SHARDS);
            if (rc.servedDifference() != null) status.put("error_message", rc.servedDifference());
        }
        n.set("status", status);
        return n;
    }
}
