"""A cluster's AMQP_URI lists every node (kombu failover): each service's own
user goes into every URL, and kombu reads them as alternates of one broker."""
from kombu import Connection

from deploy.broker_users import service_uri
from deploy.cluster import LocalCluster

NODES = "amqp://admin:pw@127.0.0.1:5701/petition;amqp://admin:pw@127.0.0.1:5702/petition"


def test_a_service_user_goes_into_every_node_url():
    assert service_uri(NODES, "petition-intake", "s3cret") == (
        "amqp://petition-intake:s3cret@127.0.0.1:5701/petition;"
        "amqp://petition-intake:s3cret@127.0.0.1:5702/petition")
    assert service_uri("amqp://guest:guest@127.0.0.1:5672/v", "u", "p") == \
        "amqp://u:p@127.0.0.1:5672/v"


def test_kombu_reads_the_list_as_failover_alternates():
    connection = Connection(NODES)
    assert connection.port == 5701 and connection.virtual_host == "petition"
    assert [url.split("@")[1] for url in connection.alt] == [
        "127.0.0.1:5701/petition", "127.0.0.1:5702/petition"]


def test_a_local_cluster_has_its_own_names_and_ports(tmp_path):
    cluster = LocalCluster(tmp_path, size=3)
    names = [node.name for node in cluster.nodes]
    ports = [p for node in cluster.nodes for p in (node.port, node.dist_port)]
    assert len(set(names)) == 3 and "rabbit@localhost" not in names
    assert len(set(ports)) == 6 and 5672 not in ports
    assert cluster.amqp_uri.count(";") == 2
    env = cluster.nodes[0].env(cluster.home)
    assert env["HOME"] == str(tmp_path / "home")
    assert env["RABBITMQ_MNESIA_BASE"].startswith(str(tmp_path))
