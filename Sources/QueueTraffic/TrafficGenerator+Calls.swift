/// Callers: they enter a queue, ring agents, are answered or leave, and their calls end.
extension TrafficGenerator {
    func arrive(in queue: Int) {
        agenda.schedule(.arrival(queue: queue), at: now + random.exponential(mean: queues[queue].meanSecondsBetweenCalls))
        let source = queues[queue].source
        let name = queues[queue].name
        let caller = takeCallerSlot()
        let callID = uniqueID(source: source)
        let callerID = random.chance(0.05) ? "" : "+1555\(String(format: "%07d", random.below(10_000_000)))"
        let position = queues[queue].waiting.count + 1
        callers[caller].state = .waiting
        callers[caller].queue = queue
        callers[caller].callID = callID
        callers[caller].callerID = callerID
        callers[caller].enteredSecond = second
        callers[caller].enteredEpoch = epoch
        callers[caller].enteredPosition = position
        queues[queue].waiting.append(caller)
        if random.chance(configuration.unknownEventShare) {
            write(source, callID, name, "NONE", "DID", "+1800\(String(format: "%07d", random.below(10_000_000)))")
        }
        write(source, callID, name, "NONE", "ENTERQUEUE", "|\(callerID)|\(position)")
        count(queue, epoch: epoch) { $0.offered += 1 }

        let version = callers[caller].version
        var leaveAfter = random.exponential(mean: configuration.meanPatienceSeconds)
        var reason = TrafficAction.LeaveReason.abandon
        if configuration.queueTimeoutSeconds < leaveAfter {
            leaveAfter = configuration.queueTimeoutSeconds
            reason = .timeout
        }
        if random.chance(configuration.keyPressShare) {
            let pressAfter = random.uniform(5...60)
            if pressAfter < leaveAfter { (leaveAfter, reason) = (pressAfter, .key) }
        }
        agenda.schedule(.callerLeaves(caller: caller, version: version, reason: reason), at: now + Swift.max(1, leaveAfter))
        if queues[queue].members.isEmpty {
            agenda.schedule(.callerLeaves(caller: caller, version: version, reason: .emptyQueue), at: now + random.uniform(1...3))
        }
        dispatch(queue)
    }

    /// Rings free agents for the waiting callers not being rung yet, head of the queue first (Asterisk's
    /// autofill).
    func dispatch(_ queue: Int) {
        var eligible: [Int] = []
        for caller in queues[queue].waiting where callers[caller].state == .waiting {
            eligible.removeAll(keepingCapacity: true)
            for agent in queues[queue].members where canRing(agent, for: queue) { eligible.append(agent) }
            guard !eligible.isEmpty else { return }
            ring(random.pick(eligible), for: caller)
        }
    }

    func dispatch(queuesOf agent: Int) {
        for membership in agents[agent].memberships { dispatch(membership.queue) }
    }

    /// Reads the agent in place: copying an `AgentModel` retains its strings and arrays, which was most of
    /// the cost of a busy run.
    private func canRing(_ agent: Int, for queue: Int) -> Bool {
        agents[agent].call == nil && agents[agent].ringing == nil && agents[agent].readyAt <= now
            && agents[agent].memberships.contains { $0.queue == queue && !$0.paused }
    }

    private func ring(_ agent: Int, for caller: Int) {
        callers[caller].state = .ringing
        callers[caller].agent = agent
        callers[caller].answers = random.chance(configuration.answerShare)
        agents[agent].ringing = caller
        let duration = callers[caller].answers ? random.uniform(2...10) : configuration.ringTimeoutSeconds
        agenda.schedule(.ringEnds(caller: caller, version: callers[caller].version), at: now + duration)
    }

    func endRing(of caller: Int) {
        let agent = callers[caller].agent
        let queue = callers[caller].queue
        let source = queues[queue].source
        agents[agent].ringing = nil
        guard callers[caller].answers else {
            callers[caller].state = .waiting
            write(
                source, callers[caller].callID, queues[queue].name, agents[agent].name, "RINGNOANSWER",
                String(Int(configuration.ringTimeoutSeconds * 1000)))
            // Asterisk leaves a member who did not answer alone for a few seconds (`retry`).
            agents[agent].readyAt = now + 5
            agenda.schedule(.agentReady(agent: agent), at: now + 5)
            dispatch(queue)
            return
        }
        let hold = second - callers[caller].enteredSecond
        let ringSeconds = Int(random.uniform(2...10))
        callers[caller].version &+= 1  // the caller's leave, scheduled when it entered, no longer applies
        callers[caller].state = .connected
        callers[caller].connectedSecond = second
        queues[queue].waiting.removeAll { $0 == caller }
        let callID = callers[caller].callID
        let epoch = self.epoch
        changeStatus(of: agent) {
            $0.call = AgentModel.CurrentCall(caller: caller, callID: callID, queue: queue, sinceEpoch: epoch)
        }
        write(source, callID, queues[queue].name, agents[agent].name, "CONNECT", "\(hold)|\(uniqueID(source: source))|\(ringSeconds)")
        if random.chance(configuration.unknownEventShare) {
            write(source, callID, queues[queue].name, agents[agent].name, "INFO", "MONITOR|\(callID).wav")
        }
        count(queue, epoch: epoch) {
            $0.answered += 1
            $0.holdSecondsTotal += hold
            $0.holdCount += 1
            if hold <= configuration.serviceLevelSeconds { $0.answeredWithinServiceLevel += 1 }
        }
        let talk = Swift.max(1, random.logNormal(mean: configuration.meanTalkSeconds, sigma: 0.8))
        agenda.schedule(.callEnds(caller: caller, version: callers[caller].version), at: now + talk)
        dispatch(queue)
    }

    func leave(_ caller: Int, reason: TrafficAction.LeaveReason) {
        let queue = callers[caller].queue
        if reason == .emptyQueue, !queues[queue].members.isEmpty { return }
        let source = queues[queue].source
        let name = queues[queue].name
        let callID = callers[caller].callID
        let position = (queues[queue].waiting.firstIndex(of: caller) ?? 0) + 1
        let wait = second - callers[caller].enteredSecond
        let original = callers[caller].enteredPosition
        var freedAgent: Int?
        if callers[caller].state == .ringing {
            let agent = callers[caller].agent
            agents[agent].ringing = nil
            freedAgent = agent
            // Asterisk 13+ writes this when the caller hangs up while a phone rings; the panel ignores it.
            write(source, callID, name, agents[agent].name, "RINGCANCELED", String(Int(random.uniform(1...14)) * 1000))
        }
        queues[queue].waiting.remove(at: position - 1)
        switch reason {
        case .abandon:
            write(source, callID, name, "NONE", "ABANDON", "\(position)|\(original)|\(wait)")
            count(queue, epoch: epoch) { $0.abandoned += 1 }
        case .timeout:
            write(source, callID, name, "NONE", "EXITWITHTIMEOUT", "\(position)|\(original)|\(wait)")
            count(queue, epoch: epoch) { $0.timedOut += 1 }
        case .key:
            write(source, callID, name, "NONE", "EXITWITHKEY", "\(random.below(10))|\(position)|\(original)|\(wait)")
            count(queue, epoch: epoch) { $0.timedOut += 1 }
        case .emptyQueue:
            write(source, callID, name, "NONE", "EXITEMPTY", "\(position)|\(original)|\(wait)")
            count(queue, epoch: epoch) { $0.timedOut += 1 }
        }
        freeCallerSlot(caller)
        if let freedAgent { dispatch(queuesOf: freedAgent) }
    }

    func endCall(of caller: Int) {
        let queue = callers[caller].queue
        let agent = callers[caller].agent
        let source = queues[queue].source
        let name = queues[queue].name
        let callID = callers[caller].callID
        let hold = callers[caller].connectedSecond - callers[caller].enteredSecond
        let talk = second - callers[caller].connectedSecond
        let original = callers[caller].enteredPosition
        let agentName = agents[agent].name
        if random.chance(configuration.transferShare) {
            let extensionNumber = 2000 + random.below(8000)
            switch random.below(3) {
            case 0: write(source, callID, name, agentName, "TRANSFER", "\(extensionNumber)|from-internal|\(hold)|\(talk)|\(original)")
            case 1: write(source, callID, name, agentName, "BLINDTRANSFER", "\(extensionNumber)|from-internal|\(hold)|\(talk)|\(original)")
            default:
                write(source, callID, name, agentName, "ATTENDEDTRANSFER", "BRIDGE|\(uniqueID(source: source))|\(hold)|\(talk)|\(original)")
            }
        } else {
            let event = random.chance(0.5) ? "COMPLETECALLER" : "COMPLETEAGENT"
            write(source, callID, name, agentName, event, "\(hold)|\(talk)|\(original)")
        }
        count(queue, epoch: epoch) {
            $0.talkSecondsTotal += talk
            $0.talkCount += 1
        }
        changeStatus(of: agent) { $0.call = nil }
        let wrapUp = random.uniform(0...configuration.maxWrapUpSeconds)
        agents[agent].readyAt = now + wrapUp
        agenda.schedule(.agentReady(agent: agent), at: now + wrapUp)
        freeCallerSlot(caller)
    }

    /// A PBX restart: every waiting caller and call of that source is gone without a line of its own;
    /// members stay (Asterisk restores them, paused or not, from its database).
    func restart(_ source: Int) {
        write(source, "NONE", "NONE", "NONE", "QUEUESTART", "")
        for queue in queues.indices where queues[queue].source == source {
            for caller in queues[queue].waiting { freeCallerSlot(caller) }
            queues[queue].waiting.removeAll()
        }
        for agent in agents.indices where agents[agent].source == source {
            agents[agent].ringing = nil
            if let call = agents[agent].call {
                freeCallerSlot(call.caller)
                changeStatus(of: agent) { $0.call = nil }
            }
        }
    }

    private func takeCallerSlot() -> Int {
        if let slot = freeCallers.popLast() { return slot }
        callers.append(CallerModel())
        return callers.count - 1
    }

    private func freeCallerSlot(_ caller: Int) {
        callers[caller].version &+= 1
        callers[caller].state = .free
        freeCallers.append(caller)
    }
}
