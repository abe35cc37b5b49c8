# Integration tests (label `integration`), run in this order on one shared cluster.
add_test(NAME cluster_setup COMMAND bash ${JF_IT}/cluster_setup.sh ${JF_BIN})
set_tests_properties(cluster_setup PROPERTIES
  FIXTURES_SETUP local_cluster LABELS integration RESOURCE_LOCK local_cluster TIMEOUT 120)

jf_integration_test(it_utopia_valid utopia_valid.sh 600)
jf_integration_test(it_flink_config_refused flink_config_refused.sh 400)
jf_integration_test(it_flink_1_20_valid flink_1_20_valid.sh 600)
jf_integration_test(it_tarball_valid tarball_valid.sh 600)
jf_integration_test(it_kill_task_managers_valid kill_task_managers_valid.sh 600)
jf_integration_test(it_negative_no_restarts negative_no_restarts.sh 600)
jf_integration_test(it_append_sink_invalid append_sink_invalid.sh 600)
jf_integration_test(it_no_ha_invalid no_ha_invalid.sh 600)
jf_integration_test(it_kill_job_managers_valid kill_job_managers_valid.sh 600)
jf_integration_test(it_kill_all_checkers_valid kill_all_checkers_valid.sh 600)
jf_integration_test(it_combined_nemesis_heals combined_nemesis_heals.sh 600)
jf_integration_test(it_cancel_jobs_valid cancel_jobs_valid.sh 600)
jf_integration_test(it_network_nemesis_heals network_nemesis_heals.sh 600)
jf_integration_test(it_test_spec_valid test_spec_valid.sh 600)
jf_integration_test(it_fail_name_node_valid fail_name_node_valid.sh 600)
jf_integration_test(it_yarn_session_kill_jm_valid yarn_session_kill_jm_valid.sh 600)
jf_integration_test(it_yarn_application_kill_tm_valid yarn_application_kill_tm_valid.sh 600)
jf_integration_test(it_yarn_job_1_20_valid yarn_job_1_20_valid.sh 600)
jf_integration_test(it_interrupt_heals interrupt_heals.sh 600)
jf_integration_test(it_report_chromium report_chromium.sh 600)
jf_integration_test(it_sigkill_cleanup sigkill_cleanup.sh 600)
set_tests_properties(it_flink_config_refused PROPERTIES DEPENDS it_utopia_valid)
set_tests_properties(it_flink_1_20_valid PROPERTIES DEPENDS it_flink_config_refused)
set_tests_properties(it_tarball_valid PROPERTIES DEPENDS it_flink_1_20_valid)
set_tests_properties(it_kill_task_managers_valid PROPERTIES DEPENDS it_tarball_valid)
set_tests_properties(it_negative_no_restarts PROPERTIES DEPENDS it_kill_task_managers_valid)
set_tests_properties(it_append_sink_invalid PROPERTIES DEPENDS it_negative_no_restarts)
set_tests_properties(it_no_ha_invalid PROPERTIES DEPENDS it_append_sink_invalid)
set_tests_properties(it_kill_job_managers_valid PROPERTIES DEPENDS it_no_ha_invalid)
set_tests_properties(it_kill_all_checkers_valid PROPERTIES DEPENDS it_kill_job_managers_valid)
set_tests_properties(it_combined_nemesis_heals PROPERTIES DEPENDS it_kill_all_checkers_valid)
set_tests_properties(it_cancel_jobs_valid PROPERTIES DEPENDS it_combined_nemesis_heals)
set_tests_properties(it_network_nemesis_heals PROPERTIES DEPENDS it_cancel_jobs_valid)
set_tests_properties(it_test_spec_valid PROPERTIES DEPENDS it_network_nemesis_heals)
set_tests_properties(it_fail_name_node_valid PROPERTIES DEPENDS it_test_spec_valid)
set_tests_properties(it_yarn_session_kill_jm_valid PROPERTIES DEPENDS it_fail_name_node_valid)
set_tests_properties(it_yarn_application_kill_tm_valid PROPERTIES DEPENDS
  it_yarn_session_kill_jm_valid)
set_tests_properties(it_yarn_job_1_20_valid PROPERTIES DEPENDS it_yarn_application_kill_tm_valid)
set_tests_properties(it_interrupt_heals PROPERTIES DEPENDS it_yarn_job_1_20_valid)
set_tests_properties(it_sigkill_cleanup PROPERTIES DEPENDS
  "it_interrupt_heals;it_yarn_session_kill_jm_valid;it_yarn_application_kill_tm_valid;it_yarn_job_1_20_valid;it_fail_name_node_valid;it_test_spec_valid;it_network_nemesis_heals;it_cancel_jobs_valid;it_utopia_valid;it_flink_config_refused;it_flink_1_20_valid;it_tarball_valid;it_kill_task_managers_valid;it_negative_no_restarts;it_no_ha_invalid;it_kill_job_managers_valid;it_append_sink_invalid;it_kill_all_checkers_valid;it_combined_nemesis_heals;it_fault_mechanisms")
# After it_interrupt_heals, on the shared cluster, before it_sigkill_cleanup takes it down.
set_tests_properties(it_report_chromium PROPERTIES DEPENDS it_interrupt_heals)
set_property(TEST it_sigkill_cleanup APPEND PROPERTY DEPENDS it_report_chromium)

# slow: the whole matrix (ctest --test-dir build -L slow); its runs make their own clusters.
add_test(NAME slow_test_all_matrix COMMAND bash ${JF_IT}/test_all_matrix.sh ${JF_BIN})
set_tests_properties(slow_test_all_matrix PROPERTIES
  LABELS slow RESOURCE_LOCK local_cluster TIMEOUT 5400
  ENVIRONMENT "JF_SOURCE_ROOT=${CMAKE_SOURCE_DIR}")

# slow: node preparation's apt path on a bare Debian root (debootstrap; downloads, ~5 min):
# sudo ctest --test-dir build -R slow_debian_prep --output-on-failure
add_test(NAME slow_debian_prep COMMAND bash ${JF_IT}/debian_prep_slow.sh ${JF_BIN})
set_tests_properties(slow_debian_prep PROPERTIES
  LABELS slow RESOURCE_LOCK local_cluster TIMEOUT 1800
  ENVIRONMENT "JF_SOURCE_ROOT=${CMAKE_SOURCE_DIR}")

# After it_sigkill_cleanup, which leaves no cluster up: `cluster up --ssh` in its own state dir.
jf_integration_test(it_ssh_cluster ssh_cluster.sh 300)
set_tests_properties(it_ssh_cluster PROPERTIES DEPENDS it_sigkill_cleanup)

# After it_ssh_cluster: the default test driven over SSH alone (its own `cluster up --ssh`).
jf_integration_test(it_ssh_default_valid ssh_default_valid.sh 900)
set_tests_properties(it_ssh_default_valid PROPERTIES DEPENDS it_ssh_cluster)

# After it_ssh_default_valid, with no cluster up: two runs in a row, each on a cluster of its own,
# watched by bench/soak.sh (the harness stays flat and leaves nothing).
jf_integration_test(it_soak_short soak_short.sh 600)
set_tests_properties(it_soak_short PROPERTIES DEPENDS it_ssh_default_valid)
