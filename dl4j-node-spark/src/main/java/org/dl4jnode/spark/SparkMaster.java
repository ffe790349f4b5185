package org.dl4jnode.spark;

import org.apache.spark.SparkConf;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Spark master an application runs on, checked before Spark starts: a malformed URL or a standalone
 * master nobody answers at becomes one clear message instead of Spark's retries and stack traces.
 */
final class SparkMaster {

    private static final Pattern LOCAL = Pattern.compile("local(\\[(\\*|\\d+)(,\\d+)?])?");
    private static final Pattern STANDALONE = Pattern.compile("spark://(.+)");
    private static final Pattern OTHER = Pattern.compile("(yarn|k8s://.+|mesos://.+)");
    /** How long a standalone master may take to accept a connection. */
    static final int CONNECT_TIMEOUT_MS = 5_000;

    private final String url;
    /** The {@code host:port}s of a standalone master (unresolved); empty for other masters. */
    private final List<InetSocketAddress> standalone;

    private SparkMaster(String url, List<InetSocketAddress> standalone) {
        this.url = url;
        this.standalone = List.copyOf(standalone);
    }

    /**
     * The master given on the command line, else the one spark-submit put in {@code conf}.
     *
     * @throws IllegalArgumentException when there is none, or it is not a master URL Spark knows
     */
    static SparkMaster resolve(String given, SparkConf conf) {
        String url = given != null ? given.trim() : conf.contains("spark.master") ? conf.get("spark.master") : null;
        if (url == null || url.isEmpty()) {
            throw new IllegalArgumentException("no Spark master: give --spark local[2] (or spark://host:7077, yarn, "
                    + "...), or run under spark-submit --master");
        }
        if (!LOCAL.matcher(url).matches() && !STANDALONE.matcher(url).matches() && !OTHER.matcher(url).matches()) {
            throw new IllegalArgumentException("--spark must be local, local[n], local[*], spark://host:port, yarn, "
                    + "k8s://... or mesos://..., got " + url);
        }
        return new SparkMaster(url, standaloneAddresses(url));
    }

    String url() {
        return url;
    }

    /** True when the workers run in this JVM. */
    boolean isLocal() {
        return LOCAL.matcher(url).matches();
    }

    /** The worker threads of a local master ({@code local}: 1, {@code local[*]}: the processors); empty otherwise. */
    OptionalInt localThreads() {
        Matcher m = LOCAL.matcher(url);
        if (!m.matches()) {
            return OptionalInt.empty();
        }
        if (m.group(2) == null) {
            return OptionalInt.of(1);
        }
        return OptionalInt.of(m.group(2).equals("*") ? Runtime.getRuntime().availableProcessors()
                : Integer.parseInt(m.group(2)));
    }

    /**
     * For a standalone master, that one of its {@code host:port}s accepts a connection within
     * {@link #CONNECT_TIMEOUT_MS}; other masters are left to Spark.
     *
     * @throws IllegalStateException naming the master and why each address failed
     */
    void checkReachable() {
        List<String> failures = new ArrayList<>();
        for (InetSocketAddress address : standalone) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address.getHostString(), address.getPort()), CONNECT_TIMEOUT_MS);
                return;
            } catch (IOException e) {
                String why = e instanceof UnknownHostException ? "unknown host"
                        : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                failures.add(address.getHostString() + ":" + address.getPort() + ": " + why);
            }
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("cannot reach the Spark master " + url + " (" + String.join("; ", failures)
                    + "); is it running?");
        }
    }

    /**
     * The {@code host:port}s of a standalone master (unresolved), none for other masters.
     *
     * @throws IllegalArgumentException if one is not {@code host:port}
     */
    private static List<InetSocketAddress> standaloneAddresses(String url) {
        Matcher m = STANDALONE.matcher(url);
        List<InetSocketAddress> out = new ArrayList<>();
        if (!m.matches()) {
            return out;
        }
        for (String address : m.group(1).split(",")) {
            int colon = address.lastIndexOf(':');
            try {
                int port = Integer.parseInt(address.substring(colon + 1));
                if (colon < 1 || port < 1 || port > 65_535) {
                    throw new NumberFormatException();
                }
                out.add(InetSocketAddress.createUnresolved(address.substring(0, colon), port));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Spark master " + url + ": " + address + " is not host:port");
            }
        }
        return out;
    }
}
