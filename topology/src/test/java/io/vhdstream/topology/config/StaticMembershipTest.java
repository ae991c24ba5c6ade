package io.vhdstream.topology.config;

import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The default group.instance.id: stable per installation, distinct per layer directory, never over the user's. */
class StaticMembershipTest {
    static Properties props(String layers) {
        Properties p = new Properties();
        p.put("application.id", "app");
        p.put("bootstrap.servers", "x:1");
        p.put(TopologyConfig.LAYERS_DIR_CONFIG, layers);
        return p;
    }

    static String instanceId(Properties p) {
        return TopologyConfig.of(p).streamsProperties().getProperty("group.instance.id");
    }

    @Test
    void eachInstallationGetsAStableIdOfItsOwn() {
        String a = instanceId(props("/srv/a/layers"));
        assertEquals(a, instanceId(props("/srv/a/layers")), "the same after a restart");
        assertEquals(a, instanceId(props("/srv/a/../a/layers")), "the same directory spelled otherwise");
        assertNotEquals(a, instanceId(props("/srv/b/layers")), "another installation on the host");
        assertTrue(a.startsWith("app-" + StaticMembership.hostName().replaceAll("[^A-Za-z0-9._-]", "_") + "-"), a);
        assertTrue(TopologyConfig.of(props("/srv/a/layers")).staticMember());
    }

    @Test
    void theUsersSettingWinsAndTheDefaultCanBeTurnedOff() {
        Properties p = props("/srv/a/layers");
        p.put("consumer.group.instance.id", "mine");
        TopologyConfig c = TopologyConfig.of(p);
        assertNull(c.streamsProperties().getProperty("group.instance.id"));
        assertEquals("mine", c.streamsProperties().getProperty("consumer.group.instance.id"));
        assertTrue(c.staticMember());

        Properties off = props("/srv/a/layers");
        off.put(TopologyConfig.STATIC_MEMBERSHIP_CONFIG, "false");
        assertNull(instanceId(off));
        assertFalse(TopologyConfig.of(off).staticMember());
    }
}
