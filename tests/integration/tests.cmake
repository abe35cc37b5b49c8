# Integration tests (label `integration`), run in this order on one shared cluster.
add_test(NAME cluster_setup COMMAND bash ${JF_IT}/cluster_setup.sh ${JF_BIN})
set_tests_properties(cluster_setup PROPERTIES
  FIXTURES_SETUP local_cluster LABELS integration RESOURCE_LOCK local_cluster TIMEOUT 120)

jf_integration_test(it_utopia_valid utopia_valid.sh 600)
jf_integration_test(it_flink_config_refused flink_config_refused.sh 400)
jf_integration_test(it_flink_1_20_valid flink_1_20_valid.sh 600)
jf_integration_test(it_kill_task_managers_valid kill_task_managers_valid.sh 600)
jf_integration_test(it_negative_no_restarts negative_no_restarts.sh 600)
jf_integration_test(it_sigkill_cleanup sigkill_cleanup.sh 600)
set_tests_properties(it_flink_config_refused PROPERTIES DEPENDS it_utopia_valid)
set_tests_properties(it_flink_1_20_valid PROPERTIES DEPENDS it_flink_config_refused)
set_tests_properties(it_kill_task_managers_valid PROPERTIES DEPENDS it_flink_1_20_valid)
set_tests_properties(it_negative_no_restarts PROPERTIES DEPENDS it_kill_task_managers_valid)
set_tests_properties(it_sigkill_cleanup PROPERTIES DEPENDS
  "it_utopia_valid;it_flink_config_refused;it_flink_1_20_valid;it_kill_task_managers_valid;it_negative_no_restarts")
