package io.conifer.bench;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where the CPU of a phase went, by thread group: a cheap profile that needs no agent. Process CPU
 * and per-thread CPU are sampled at the start and end of a phase; threads are grouped by name with
 * trailing numbers removed (so the Armeria event loops, its blocking-task pool, Lucene's merge
 * threads and the benchmark's client threads each form one group). CPU of threads that ended during
 * the phase counts in its group up to the last time a sampler saw it (every {@link #SAMPLE_MILLIS} ms), or
 * fully if the thread reported it ({@link #threadEnding}); the JVM's JIT, GC and VM threads (not Java
 * threads) are read from /proc, and they end too (the JIT's when it has nothing to compile); what remains
 * unaccounted is the last moments of threads that ended.
 */
final class CpuMeter {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** Final CPU of benchmark threads that ended, by thread id: {name, nanos}. */
    private static final java.util.concurrent.ConcurrentHashMap<Long, Seen> ENDED = new java.util.concurrent.ConcurrentHashMap<>();

    /** A thread's group (or the JVM's own kind) and its CPU when last seen (nanoseconds; clock ticks for the JVM's own). */
    private record Seen(String group, long cpu) {}

    private static final String JIT = "JVM: JIT compiler threads";

    private static final long SAMPLE_MILLIS = 200;
    /**
     * The last CPU the sampler saw of every thread, Java threads by id and the JVM's own by task id: Lucene starts a thread per merge and the JVM stops idle compiler threads,
     * and without this their CPU would be one anonymous remainder.
     */
    private static final Map<Long, Seen> LAST_JAVA = new java.util.concurrent.ConcurrentHashMap<>();
    private static final Map<Long, Seen> LAST_NATIVE = new java.util.concurrent.ConcurrentHashMap<>();
    /** Each task's kind by task id ("" for a Java thread). */
    private static final Map<Long, String> KINDS = new java.util.concurrent.ConcurrentHashMap<>();

    static {
        Thread sampler = new Thread(() -> {
            while (true) {
                for (long id : THREADS.getAllThreadIds()) {
                    long t = THREADS.getThreadCpuTime(id);
                    if (t < 0) continue;
                    Seen seen = LAST_JAVA.get(id);
                    if (seen != null) {
                        LAST_JAVA.put(id, new Seen(seen.group(), t));
                        continue;
                    }
                    ThreadInfo info = THREADS.getThreadInfo(id);
                    if (info != null) LAST_JAVA.put(id, new Seen(group(info.getThreadName()), t));
                }
                LAST_NATIVE.putAll(nativeTicks());
                try {
                    Thread.sleep(SAMPLE_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-cpu-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    private final long wallStart;
    private final long processStart;
    private final long gcStart;
    private final Map<Long, Long> threadStart;
    private final Set<Long> endedBefore;
    private final Map<Long, Seen> nativeStart;
    /** Threads the sampler saw that had ended before this phase began. */
    private final Set<Long> javaGoneBefore, nativeGoneBefore;

    private CpuMeter() {
        wallStart = System.nanoTime();
        processStart = OS.getProcessCpuTime();
        gcStart = gcMillis();
        threadStart = threadCpu();
        endedBefore = new HashSet<>(ENDED.keySet());
        nativeStart = nativeTicks();
        javaGoneBefore = new HashSet<>(LAST_JAVA.keySet());
        javaGoneBefore.removeAll(threadStart.keySet());
        nativeGoneBefore = new HashSet<>(LAST_NATIVE.keySet());
        nativeGoneBefore.removeAll(nativeStart.keySet());
    }

    /**
     * CPU ticks of the JVM's own (non-Java) threads by task id, with their kind, from /proc/self/task (Linux;
     * empty elsewhere): these are invisible to ThreadMXBean but are where JIT and GC time goes.
     */
    private static Map<Long, Seen> nativeTicks() {
        Map<Long, Seen> out = new HashMap<>();
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) return out;
        for (java.io.File t : tasks) {
            try {
                long tid = Long.parseLong(t.getName());
                // A task's kind from its name, once: most tasks are Java threads, whose stat is not needed.
                String kind = KINDS.computeIfAbsent(tid, id -> {
                    try {
                        String comm = java.nio.file.Files.readString(t.toPath().resolve("comm"));
                        return comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler") ? JIT
                                : comm.startsWith("GC Thread") || comm.startsWith("G1 ") ? "JVM: GC threads"
                                : comm.startsWith("VM ") ? "JVM: VM threads" : "";
                    } catch (IOException e) {
                        return "";
                    }
                });
                if (kind.isEmpty()) continue;
                String stat = java.nio.file.Files.readString(t.toPath().resolve("stat"));
                int close = stat.lastIndexOf(')');
                String[] f = stat.substring(close + 2).split(" ");
                long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
                out.put(tid, new Seen(kind, ticks));
            } catch (IOException | RuntimeException e) {
                // the thread ended while we looked
            }
        }
        return out;
    }

    /** CPU seconds the JIT compiler threads have used so far (0 where /proc is not there). */
    static double jitSeconds() {
        long ticks = 0;
        for (Seen task : nativeTicks().values()) if (task.group().equals(JIT)) ticks += task.cpu();
        return ticks / 100.0; // USER_HZ
    }

    /** CPU time of the whole process so far (every thread, the JVM's own included). */
    static long processNanos() {
        return OS.getProcessCpuTime();
    }

    static CpuMeter start() {
        return new CpuMeter();
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) total += Math.max(0, gc.getCollectionTime());
        return total;
    }

    private static Map<Long, Long> threadCpu() {
        Map<Long, Long> out = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            long t = THREADS.getThreadCpuTime(id);
            if (t >= 0) out.put(id, t);
        }
        return out;
    }

    /** Called by a benchmark thread just before it ends, so its CPU is still attributed to its group. */
    static void threadEnding() {
        Thread t = Thread.currentThread();
        ENDED.put(t.threadId(), new Seen(group(t.getName()), THREADS.getCurrentThreadCpuTime()));
    }

    static String group(String name) {
        String g = name.replaceAll("[-#_ .]*\\d+([-#_ .]*\\d+)*$", "");
        return g.isEmpty() ? name : g;
    }

    /** A summary: wall time, cores busy, GC time and the CPU share of each thread group. */
    String stop() {
        return stop(0);
    }

    /** Also the CPU of each group per operation (a query, say) when {@code operations} > 0. */
    String stop(long operations) {
        double wall = (System.nanoTime() - wallStart) / 1e9;
        double process = (OS.getProcessCpuTime() - processStart) / 1e9;
        long gc = gcMillis() - gcStart;
        Map<String, Double> groups = new TreeMap<>();
        double accounted = 0;
        for (long id : THREADS.getAllThreadIds()) {
            long now = THREADS.getThreadCpuTime(id);
            if (now < 0) continue;
            ThreadInfo info = THREADS.getThreadInfo(id);
            if (info == null) continue;
            double d = (now - threadStart.getOrDefault(id, 0L)) / 1e9;
            if (d <= 0) continue;
            groups.merge(group(info.getThreadName()), d, Double::sum);
            accounted += d;
        }
        for (Map.Entry<Long, Seen> e : ENDED.entrySet()) {
            if (endedBefore.contains(e.getKey()) || THREADS.getThreadCpuTime(e.getKey()) >= 0) continue; // counted above
            double d = (e.getValue().cpu() - threadStart.getOrDefault(e.getKey(), 0L)) / 1e9;
            if (d <= 0) continue;
            groups.merge(e.getValue().group(), d, Double::sum);
            accounted += d;
        }
        // Java threads that ended during the phase without reporting: up to their last sample.
        for (Map.Entry<Long, Seen> e : LAST_JAVA.entrySet()) {
            long id = e.getKey();
            if (javaGoneBefore.contains(id) || THREADS.getThreadCpuTime(id) >= 0 || ENDED.containsKey(id)) continue;
            double d = (e.getValue().cpu() - threadStart.getOrDefault(id, 0L)) / 1e9;
            if (d <= 0) continue;
            groups.merge(e.getValue().group(), d, Double::sum);
            accounted += d;
        }
        Map<Long, Seen> tasks = new HashMap<>(LAST_NATIVE);
        tasks.keySet().removeAll(nativeGoneBefore);
        tasks.putAll(nativeTicks());
        for (Map.Entry<Long, Seen> e : tasks.entrySet()) {
            Seen before = nativeStart.get(e.getKey());
            double d = (e.getValue().cpu() - (before == null ? 0L : before.cpu())) / 100.0; // USER_HZ
            if (d <= 0) continue;
            groups.merge(e.getValue().group(), d, Double::sum);
            accounted += d;
        }
        if (process - accounted > 0.05) groups.put("(threads that ended, their last " + SAMPLE_MILLIS + " ms)", process - accounted);
        Map<String, Double> sorted = new LinkedHashMap<>();
        groups.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("wall %.1f s, process CPU %.1f s = %.2f cores busy, GC pauses %.2f s%s%n",
                wall, process, process / wall, gc / 1000.0,
                operations > 0 ? String.format(", %.0f us CPU per operation", 1e6 * process / operations) : ""));
        for (Map.Entry<String, Double> e : sorted.entrySet()) {
            if (e.getValue() / process < 0.005) continue;
            sb.append(String.format("      %5.1f%%  %6.1f s  %s%s%n", 100 * e.getValue() / process, e.getValue(),
                    operations > 0 ? String.format("%6.0f us/op  ", 1e6 * e.getValue() / operations) : "", e.getKey()));
        }
        return sb.toString();
    }
}
