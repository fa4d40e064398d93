/// Agents: logging in and off, joining and leaving queues, pausing with a reason and resuming.
extension TrafficGenerator {
    static let pauseReasons = ["lunch", "break", "meeting", "training", "coaching", "Tech issue", "", "toilet"]

    /// Changes an agent and moves the `since` of each membership whose status the change altered.
    func changeStatus(of agent: Int, _ change: (inout AgentModel) -> Void) {
        let before = agents[agent].memberships.map { ($0.queue, agents[agent].status(of: $0)) }
        change(&agents[agent])
        let model = agents[agent]
        for index in model.memberships.indices {
            let membership = model.memberships[index]
            let previous = before.first { $0.0 == membership.queue }?.1
            if previous != model.status(of: membership) { agents[agent].memberships[index].since = epoch }
        }
    }

    func act(_ agent: Int) {
        let mean = configuration.meanAgentActivitySeconds
        if agents[agent].ringing != nil {
            agenda.schedule(.agentActivity(agent: agent), at: now + 30)
            return
        }
        let model = agents[agent]
        if model.memberships.isEmpty {
            logIn(agent)
        } else if model.memberships.contains(where: \.paused) {
            let roll = random.unit()
            if roll < 0.6 {
                unpause(agent)
            } else if roll < 0.7 {
                pauseAll(agent)
            } else if roll < 0.85, model.isIdle {
                logOff(agent)
            } else {
                unpause(agent)
            }
        } else {
            let roll = random.unit()
            let absent = model.eligibleQueues.filter { model.membershipIndex(of: $0) == nil }
            if roll < 0.45 {
                pauseAll(agent)
            } else if roll < 0.6 {
                pause(agent, in: random.pick(model.memberships).queue)
            } else if roll < 0.7, model.memberships.count > 1 {
                leave(agent, queue: random.pick(model.memberships).queue)
            } else if roll < 0.8, !absent.isEmpty {
                join(agent, queue: random.pick(absent))
            } else if roll < 0.9, model.isIdle {
                logOff(agent)
            }
        }
        guard mean > 0 else { return }
        let paused = agents[agent].memberships.contains(where: \.paused)
        agenda.schedule(.agentActivity(agent: agent), at: now + random.exponential(mean: paused ? mean / 2 : mean))
    }

    private func logIn(_ agent: Int) {
        agents[agent].loggedInAtEpoch = epoch
        for queue in agents[agent].eligibleQueues { join(agent, queue: queue) }
    }

    private func join(_ agent: Int, queue: Int) {
        let model = agents[agent]
        let paused = !model.logsInAsAgent && random.chance(configuration.addedPausedShare)
        if model.logsInAsAgent {
            write(model.source, "NONE", queues[queue].name, model.name, "AGENTLOGIN", model.channel)
        } else {
            write(model.source, "NONE", queues[queue].name, model.name, "ADDMEMBER", paused ? "PAUSED" : "")
        }
        changeStatus(of: agent) { $0.memberships.append(.init(queue: queue, paused: paused, since: 0)) }
        queues[queue].members.append(agent)
        dispatch(queue)
    }

    /// Leaves one queue; a call from it goes on.
    private func leave(_ agent: Int, queue: Int) {
        let model = agents[agent]
        if model.logsInAsAgent {
            write(model.source, "NONE", queues[queue].name, model.name, "AGENTLOGOFF", "\(model.channel)|\(epoch - model.loggedInAtEpoch)")
        } else {
            write(model.source, "NONE", queues[queue].name, model.name, "REMOVEMEMBER", "")
        }
        agents[agent].memberships.removeAll { $0.queue == queue }
        queues[queue].members.removeAll { $0 == agent }
    }

    /// Ends the shift, only between calls: an agent channel logs off everywhere at once (queue NONE),
    /// a phone leaves each queue.
    private func logOff(_ agent: Int) {
        let model = agents[agent]
        if model.logsInAsAgent {
            write(model.source, "NONE", "NONE", model.name, "AGENTLOGOFF", "\(model.channel)|\(epoch - model.loggedInAtEpoch)")
        } else {
            for membership in model.memberships {
                write(model.source, "NONE", queues[membership.queue].name, model.name, "REMOVEMEMBER", "")
            }
        }
        for membership in model.memberships { queues[membership.queue].members.removeAll { $0 == agent } }
        agents[agent].memberships.removeAll()
    }

    /// PAUSEALL (queue NONE). Sources after the first write each queue's PAUSE after it, as Asterisk 13+
    /// does; the first writes PAUSEALL alone, as older versions do. A paused agent may pause again with a
    /// new reason.
    private func pauseAll(_ agent: Int) {
        let model = agents[agent]
        let reason = random.pick(Self.pauseReasons)
        write(model.source, "NONE", "NONE", model.name, "PAUSEALL", reason)
        if model.source > 0 {
            for membership in model.memberships {
                write(model.source, "NONE", queues[membership.queue].name, model.name, "PAUSE", reason)
            }
        }
        setPaused(agent, true, reason: reason) { _ in true }
    }

    private func pause(_ agent: Int, in queue: Int) {
        let reason = random.pick(Self.pauseReasons)
        write(agents[agent].source, "NONE", queues[queue].name, agents[agent].name, "PAUSE", reason)
        setPaused(agent, true, reason: reason) { $0 == queue }
    }

    /// UNPAUSEALL when every queue is paused, else UNPAUSE of one paused queue; Asterisk repeats the reason.
    private func unpause(_ agent: Int) {
        let model = agents[agent]
        if model.memberships.allSatisfy(\.paused) {
            write(model.source, "NONE", "NONE", model.name, "UNPAUSEALL", model.memberships[0].pauseReason ?? "")
            if model.source > 0 {
                for membership in model.memberships {
                    write(model.source, "NONE", queues[membership.queue].name, model.name, "UNPAUSE", membership.pauseReason ?? "")
                }
            }
            setPaused(agent, false, reason: "") { _ in true }
        } else {
            let paused = model.memberships.filter(\.paused)
            let membership = random.pick(paused)
            write(model.source, "NONE", queues[membership.queue].name, model.name, "UNPAUSE", membership.pauseReason ?? "")
            setPaused(agent, false, reason: "") { $0 == membership.queue }
        }
        dispatch(queuesOf: agent)
    }

    /// An empty reason is no reason.
    private func setPaused(_ agent: Int, _ paused: Bool, reason: String, where selected: (Int) -> Bool) {
        changeStatus(of: agent) { model in
            for index in model.memberships.indices where selected(model.memberships[index].queue) {
                model.memberships[index].paused = paused
                model.memberships[index].pauseReason = paused && !reason.isEmpty ? reason : nil
            }
        }
    }
}
