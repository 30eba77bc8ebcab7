package mp

// state is everything mp keeps for this process, in one place: SetHost
// fills in the host, the first Process, Pool or shared object starts the
// rest, and Shutdown takes it all down (children, broker, clients,
// segments). Each part has its own lock.
var state struct {
	children children     // the host, the spare worker, live Processes and Pools (lifetime.go)
	broker   brokerSlot   // the broker serving this process's queues and locks (broker.go)
	clients  clientTable  // connections to other processes' brokers (client.go)
	self     selfInfo     // who this process is (process.go)
	segments segmentTable // shared memory created or mapped here (shared.go)
}
