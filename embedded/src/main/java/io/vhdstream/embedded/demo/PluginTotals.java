package io.vhdstream.embedded.demo;

import com.sun.tools.attach.VirtualMachine;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Totals of the Connect plugin metrics ({@code kafka.connect:type=plugins,...}) named at construction, summed over
 * every task of a worker and over the worker's restarts: a task's metrics start at zero in each task instance and
 * each JVM, so the last value seen of each is banked when it goes (a kill, a task restarted in the same JVM). Read
 * over JMX from the child JVM (the attach API starts its local management agent; no port is opened).
 */
final class PluginTotals {
    private static final String PATTERN = "kafka.connect:type=plugins,*";

    private final List<String> names;
    /** Per metric: what instances that are gone had counted. */
    private final Map<String, Long> banked = new HashMap<>();
    /** Per metric and MBean of the running JVM: the last value read. */
    private final Map<String, Map<ObjectName, Long>> live = new HashMap<>();
    private long pid = -1;
    /** The JVM declared gone: not read again, even if it still answers for a moment before its SIGKILL lands. */
    private long gonePid = -1;
    private JMXConnector connector;

    PluginTotals(List<String> names) {
        this.names = names;
        names.forEach(n -> {
            banked.put(n, 0L);
            live.put(n, new HashMap<>());
        });
    }

    /** Reads the metrics of JVM {@code pid} now; false when it cannot be reached (starting, just killed). */
    synchronized boolean sample(long pid) {
        if (pid == gonePid) {
            return false;
        }
        try {
            MBeanServerConnection c = connect(pid);
            Map<String, Map<ObjectName, Long>> now = new HashMap<>();
            names.forEach(n -> now.put(n, new HashMap<>()));
            for (ObjectName o : c.queryNames(new ObjectName(PATTERN), null)) {
                for (MBeanAttributeInfo a : c.getMBeanInfo(o).getAttributes()) {
                    if (now.containsKey(a.getName()) && c.getAttribute(o, a.getName()) instanceof Number v) {
                        now.get(a.getName()).put(o, v.longValue());
                    }
                }
            }
            for (String n : names) {
                Map<ObjectName, Long> before = live.get(n);
                for (Map.Entry<ObjectName, Long> e : before.entrySet()) {
                    Long after = now.get(n).get(e.getKey());
                    if (after == null || after < e.getValue()) {
                        banked.merge(n, e.getValue(), Long::sum);   // that task instance is gone
                    }
                }
                live.put(n, now.get(n));
            }
            return true;
        } catch (Exception e) {
            disconnect();
            return false;
        }
    }

    /** JVM {@code pid} is gone (being killed): what its tasks counted is kept, its connection dropped. */
    synchronized void jvmGone(long pid) {
        gonePid = pid;
        for (String n : names) {
            banked.merge(n, live.get(n).values().stream().mapToLong(Long::longValue).sum(), Long::sum);
            live.get(n).clear();
        }
        disconnect();
    }

    /** Everything counted of {@code name} as of the last sample. */
    synchronized long total(String name) {
        return banked.get(name) + live.get(name).values().stream().mapToLong(Long::longValue).sum();
    }

    private MBeanServerConnection connect(long pid) throws Exception {
        if (connector == null || this.pid != pid) {
            disconnect();
            VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
            String address;
            try {
                address = vm.startLocalManagementAgent();
            } finally {
                vm.detach();
            }
            connector = JMXConnectorFactory.connect(new JMXServiceURL(address));
            this.pid = pid;
        }
        return connector.getMBeanServerConnection();
    }

    private void disconnect() {
        if (connector != null) {
            try {
                connector.close();
            } catch (IOException ignored) {
                // the JVM is gone
            }
            connector = null;
        }
    }
}
