package org.dl4jnode.spark;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The master URL is checked before Spark starts: its form, its local threads, and whether anyone answers. */
class SparkMasterTest {

    private static SparkMaster master(String url) {
        return SparkMaster.resolve(url, new SparkConf(false));
    }

    @Test
    void localMastersGiveTheirThreads() {
        assertThat(master("local").localThreads()).hasValue(1);
        assertThat(master("local[3]").localThreads()).hasValue(3);
        assertThat(master("local[*]").localThreads()).hasValue(Runtime.getRuntime().availableProcessors());
        assertThat(master("local[2,4]").localThreads()).hasValue(2);
        assertThat(master("local[2]").isLocal()).isTrue();
        assertThat(master("spark://a:7077").isLocal()).isFalse();
        assertThat(master("yarn").localThreads()).isEmpty();
    }

    @Test
    void spark_submitsMasterIsUsedWhenNoneIsGiven() {
        SparkConf conf = new SparkConf(false).set("spark.master", "local[4]");
        assertThat(SparkMaster.resolve(null, conf).url()).isEqualTo("local[4]");
        assertThat(SparkMaster.resolve("local[2]", conf).url()).as("the command line wins").isEqualTo("local[2]");
        assertThatThrownBy(() -> SparkMaster.resolve(null, new SparkConf(false)))
                .hasMessageContaining("no Spark master: give --spark local[2]");
    }

    @Test
    void rejectsWhatIsNoMasterUrl() {
        assertThatThrownBy(() -> master("localhost:7077")).hasMessageContaining("--spark must be local")
                .hasMessageContaining("got localhost:7077");
        assertThatThrownBy(() -> master("spark://host")).hasMessageContaining("host is not host:port");
        assertThatThrownBy(() -> master("spark://host:99999")).hasMessageContaining("not host:port");
    }

    @Test
    void aStandaloneMasterMustAnswer() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String url = "spark://127.0.0.1:" + closedPort;
        assertThatThrownBy(() -> master(url).checkReachable()).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("cannot reach the Spark master " + url)
                .hasMessageContaining("is it running?");
        assertThatThrownBy(() -> master("spark://no-such-host.invalid:7077").checkReachable())
                .hasMessageContaining("no-such-host.invalid:7077: unknown host");
        try (ServerSocket listening = new ServerSocket(0)) {
            assertThatCode(() -> master("spark://no-such-host.invalid:7077,127.0.0.1:" + listening.getLocalPort())
                    .checkReachable()).as("one answering master of several is enough").doesNotThrowAnyException();
        }
        assertThatCode(() -> master("local[2]").checkReachable()).doesNotThrowAnyException();
    }
}
