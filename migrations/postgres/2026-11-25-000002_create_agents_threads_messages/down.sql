DROP TABLE messages;
DROP TABLE threads;
DROP TABLE agents;
