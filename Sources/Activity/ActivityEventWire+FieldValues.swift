extension ActivityEventWire {
    /// A value for each field, held in place: the dictionary this replaced hashed its keys for every field of
    /// every event, about a sixth of the reader's time.
    struct FieldValues<Value> {
        private var slots: (Value?, Value?, Value?, Value?, Value?, Value?, Value?, Value?, Value?) =
            (nil, nil, nil, nil, nil, nil, nil, nil, nil)

        subscript(field: Field) -> Value? {
            get {
                switch field {
                case .eventID: slots.0
                case .sourceID: slots.1
                case .userID: slots.2
                case .type: slots.3
                case .startedAt: slots.4
                case .endedAt: slots.5
                case .durationSeconds: slots.6
                case .bytesUp: slots.7
                case .bytesDown: slots.8
                }
            }
            set {
                switch field {
                case .eventID: slots.0 = newValue
                case .sourceID: slots.1 = newValue
                case .userID: slots.2 = newValue
                case .type: slots.3 = newValue
                case .startedAt: slots.4 = newValue
                case .endedAt: slots.5 = newValue
                case .durationSeconds: slots.6 = newValue
                case .bytesUp: slots.7 = newValue
                case .bytesDown: slots.8 = newValue
                }
            }
        }
    }
}
