package io.conifer.index;

/** Whether an index serves, or is still being filled by a restore (and serves nothing yet). */
public enum IndexState {
    READY,
    RESTORING
}
