package dev.fjord.common.config;

import static dev.fjord.common.config.ConfigDef.Importance.HIGH;
import static dev.fjord.common.config.ConfigDef.Importance.LOW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fjord.common.config.ConfigDef.Type;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigDefTest {

    private static ConfigDef table() {
        return new ConfigDef()
            .define("num.partitions", Type.INT, 1, ConfigDef.atLeast(1), HIGH, "Partitions per new topic.")
            .define("segment.bytes", Type.INT, 1024, ConfigDef.range(14, Integer.MAX_VALUE), HIGH, "Segment size.")
            .define("retention.ms", Type.LONG, -1L, LOW, "Retention.")
            .define("auto.create", Type.BOOLEAN, true, LOW, "Auto create.")
            .define("cluster.id", Type.STRING, null, LOW, "Cluster id, generated when unset.")
            .define("timestamp.type", Type.STRING, "CreateTime", ConfigDef.oneOf("CreateTime", "LogAppendTime"), LOW, "")
            .define("dirs", Type.LIST, List.of("./data"), ConfigDef.nonEmpty(), HIGH, "Data dirs.")
            .define("policy", Type.LIST, List.of("delete"), ConfigDef.oneOf("delete", "compact"), LOW, "")
            .defineIgnored("process.roles", "KRaft roles; ignored.");
    }

    private static Map<String, String> map(final String... kv) {
        final Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void defaultsApplyWhenNothingIsSet() {
        final ConfigValues v = table().parse(Map.of());
        assertThat(v.getInt("num.partitions")).isEqualTo(1);
        assertThat(v.getLong("retention.ms")).isEqualTo(-1L);
        assertThat(v.getBoolean("auto.create")).isTrue();
        assertThat(v.getString("cluster.id")).isNull();
        assertThat(v.getList("dirs")).containsExactly("./data");
        assertThat(v.get("process.roles")).isNull();
        assertThat(v.isSet("num.partitions")).isFalse();
        assertThat(v.unknownKeys()).isEmpty();
    }

    @Test
    void parsesEveryTypeAndTrimsValues() {
        final ConfigValues v = table().parse(map(
            "num.partitions", " 3 ",
            "retention.ms", "9223372036854775807",
            "auto.create", "FALSE",
            "cluster.id", "abc",
            "dirs", " /a , ,/b ",
            "policy", "compact,delete",
            "process.roles", "broker,controller"));
        assertThat(v.getInt("num.partitions")).isEqualTo(3);
        assertThat(v.getLong("retention.ms")).isEqualTo(Long.MAX_VALUE);
        assertThat(v.getBoolean("auto.create")).isFalse();
        assertThat(v.getString("cluster.id")).isEqualTo("abc");
        assertThat(v.getList("dirs")).containsExactly("/a", "/b");
        assertThat(v.getList("policy")).containsExactly("compact", "delete");
        assertThat(v.get("process.roles")).isEqualTo("broker,controller");
        assertThat(v.isSet("num.partitions")).isTrue();
    }

    @Test
    void unknownKeysAreReportedNotRejected() {
        final ConfigValues v = table().parse(map("zookeeper.connect", "x:2181", "num.partitions", "2", "foo", "bar"));
        assertThat(v.unknownKeys()).containsExactly("zookeeper.connect", "foo");
        assertThat(v.getInt("num.partitions")).isEqualTo(2);
    }

    @Test
    void ignoredKeysAreKnown() {
        assertThat(table().parse(map("process.roles", "broker")).unknownKeys()).isEmpty();
    }

    @Test
    void nonNumberGivesKeyValueProblemAndRemedy() {
        assertThatThrownBy(() -> table().parse(map("num.partitions", "abc")))
            .isInstanceOf(ConfigException.class)
            .hasMessage("Invalid value 'abc' for 'num.partitions': expected an integer >= 1. "
                + "Fix it in config/server.properties or pass --override num.partitions=1.")
            .satisfies(e -> {
                assertThat(((ConfigException) e).key()).isEqualTo("num.partitions");
                assertThat(((ConfigException) e).value()).isEqualTo("abc");
            });
    }

    @Test
    void outOfRangeGivesTheSameShapeOfMessage() {
        assertThatThrownBy(() -> table().parse(map("segment.bytes", "13")))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("Invalid value '13' for 'segment.bytes': expected an integer between 14 and 2147483647.");
        assertThatThrownBy(() -> table().parse(map("num.partitions", "0")))
            .hasMessageContaining("expected an integer >= 1");
    }

    @Test
    void intOverflowIsInvalid() {
        assertThatThrownBy(() -> table().parse(map("segment.bytes", "3000000000")))
            .hasMessageContaining("Invalid value '3000000000' for 'segment.bytes'");
    }

    @Test
    void unitSuffixesGetAnExplanation() {
        assertThatThrownBy(() -> table().parse(map("segment.bytes", "1GB")))
            .hasMessageContaining("plain numbers without units");
    }

    @Test
    void booleanMustBeTrueOrFalse() {
        assertThatThrownBy(() -> table().parse(map("auto.create", "yes")))
            .hasMessageStartingWith("Invalid value 'yes' for 'auto.create': expected true or false.");
    }

    @Test
    void oneOfIsCaseInsensitiveAndListsTheOptions() {
        assertThat(table().parse(map("timestamp.type", "logappendtime")).getString("timestamp.type"))
            .isEqualTo("logappendtime");
        assertThatThrownBy(() -> table().parse(map("timestamp.type", "Now")))
            .hasMessage("Invalid value 'Now' for 'timestamp.type': expected one of CreateTime, LogAppendTime. "
                + "Fix it in config/server.properties or pass --override timestamp.type=CreateTime.");
        assertThatThrownBy(() -> table().parse(map("policy", "delete,shred")))
            .hasMessageContaining("expected a comma-separated list of delete, compact");
    }

    @Test
    void nonEmptyRejectsBlankLists() {
        assertThatThrownBy(() -> table().parse(map("dirs", " , ")))
            .hasMessageContaining("for 'dirs': expected a non-empty comma-separated list");
    }

    @Test
    void requiredKeyMustBeSet() {
        final ConfigDef def = new ConfigDef().define("x", Type.INT, ConfigDef.REQUIRED, ConfigDef.atLeast(0), HIGH, "");
        assertThatThrownBy(() -> def.parse(Map.of()))
            .isInstanceOf(ConfigException.class)
            .hasMessage("Missing value for 'x': expected an integer >= 0. Fix it in config/server.properties or pass --override x=<value>.");
        assertThat(def.parse(Map.of("x", "5")).getInt("x")).isEqualTo(5);
    }

    @Test
    void programmingErrorsAreCaughtAtDefinitionTime() {
        assertThatThrownBy(() -> new ConfigDef().define("x", Type.INT, 5L, LOW, ""))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ConfigDef().define("x", Type.INT, 0, ConfigDef.atLeast(1), LOW, ""))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ConfigDef().define("x", Type.INT, 1, LOW, "").define("x", Type.INT, 1, LOW, ""))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> table().parse(Map.of()).getLong("num.partitions"))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> table().parse(Map.of()).get("nope"))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void splitListDropsEmptyItems() {
        assertThat(ConfigDef.splitList("")).isEmpty();
        assertThat(ConfigDef.splitList(" a,,b ,")).containsExactly("a", "b");
    }

    @Test
    void canonicalReturnsDeclaredSpelling() {
        assertThat(ConfigDef.canonical("createtime", "CreateTime", "LogAppendTime")).isEqualTo("CreateTime");
    }
}
